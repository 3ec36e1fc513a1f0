/**
 * Test driver for one run: holds the state, the written history, a fake clock and the shard's taskId counter,
 * applies transitions and keeps what they return. Also a compact view of events for exact-sequence assertions.
 */

import type { HistoryEvent } from '../../../src/actors/history/events.js';
import type { MutableState } from '../../../src/actors/mutableState/mutableState.js';
import { completeWorkflowTask } from '../../../src/actors/workflowTask/completeWorkflowTask.js';
import type { ProtoCommand } from '../../../src/actors/workflowTask/commandHandlers.js';
import { startWorkflow } from '../../../src/actors/workflowTask/startWorkflow.js';
import { startWorkflowTask } from '../../../src/actors/workflowTask/startWorkflowTask.js';
import type { StartedTaskRef } from '../../../src/actors/workflowTask/startedTaskRef.js';
import type { Effect, TransitionContext, TransitionResult } from '../../../src/actors/workflowTask/transition.js';

export const startTimeMs = 1_700_000_000_000;

/** One run under test. */
export class RunHarness {
  state: MutableState;
  readonly history: HistoryEvent[] = [];
  lastEffects: readonly Effect[] = [];
  nowMs = startTimeMs;
  taskIdNext = 100;

  constructor() {
    const result = startWorkflow(
      {
        executionInfo: {
          namespace: 'default',
          workflowId: 'wf-1',
          runId: 'run-1',
          workflowType: 'example',
          taskQueue: 'tq',
          workflowTaskTimeoutMs: 10_000,
          workflowRunTimeoutMs: 0,
          workflowExecutionTimeoutMs: 0,
          startTimeMs,
        },
        identity: 'client',
        input: { payloads: [] },
      },
      this.context()
    );
    this.state = result.state;
    this.keep(result);
  }

  context(): TransitionContext {
    return { nowMs: this.nowMs, taskIdFirst: this.taskIdNext };
  }

  /** Applies a transition with the harness's context and keeps its result. */
  apply(transition: (state: MutableState, context: TransitionContext) => TransitionResult): TransitionResult {
    const result = transition(this.state, this.context());
    this.state = result.state;
    this.keep(result);
    return result;
  }

  /** Polls the current scheduled task; returns the token ids. */
  poll(requestId = `poll-${this.taskIdNext}`): StartedTaskRef {
    const task = this.state.workflowTask;
    if (task.phase !== 'scheduled') {
      throw new Error(`test bug: poll with task ${task.phase}`);
    }
    const ref = { scheduledEventId: task.scheduledEventId, attempt: task.attempt };
    this.apply((s, c) => startWorkflowTask(s, { ...ref, requestId, identity: 'worker', historySizeBytes: 100 }, c));
    return this.token();
  }

  /** The started task's token ids. */
  token(): StartedTaskRef {
    const task = this.state.workflowTask;
    if (task.phase !== 'started') {
      throw new Error(`test bug: token with task ${task.phase}`);
    }
    return { scheduledEventId: task.scheduledEventId, startedEventId: task.startedEventId, attempt: task.attempt };
  }

  /** Completes the started task with `commands`, no stickiness. */
  complete(commands: readonly ProtoCommand[] = []): TransitionResult {
    const task = this.token();
    return this.apply((s, c) =>
      completeWorkflowTask(
        s,
        {
          task,
          identity: 'worker',
          commands,
          metadata: {},
          stickiness: null,
          forceCreateNewWorkflowTask: false,
          messages: [],
        },
        c
      )
    );
  }

  private keep(result: TransitionResult): void {
    this.history.push(...result.events);
    this.lastEffects = result.effects;
    this.taskIdNext = result.taskIdNext;
    this.nowMs += 1000;
  }
}

/** `eventId eventTypeSuffix` lines, e.g. `3 WORKFLOW_TASK_STARTED`, for exact-sequence assertions. */
export function outline(events: readonly HistoryEvent[]): string[] {
  return events.map((event) => `${event.eventId} ${event.eventType.replace('EVENT_TYPE_', '')}`);
}

/** The complete-workflow command. */
export const completeCommand: ProtoCommand = {
  commandType: 'COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION',
  completeWorkflowExecutionCommandAttributes: { result: { payloads: [{ data: 'done' }] } },
  attributes: 'completeWorkflowExecutionCommandAttributes',
};
