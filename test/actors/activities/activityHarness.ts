/**
 * Activity helpers on top of the workflow-task RunHarness: completions with the activity command handlers, schedule
 * commands in the proto-loader shape, and one-line wrappers for start, respond, heartbeat and timer firing.
 */

import { activityCommandHandlers } from '../../../src/actors/activities/activityCommands.js';
import { activityTimersOf, fireActivityTimer } from '../../../src/actors/activities/activityTimers.js';
import { heartbeatActivityTask } from '../../../src/actors/activities/heartbeatActivityTask.js';
import {
  respondActivityTask,
  type ActivityAttemptResponse,
} from '../../../src/actors/activities/respondActivityTask.js';
import { startActivityTask } from '../../../src/actors/activities/startActivityTask.js';
import type { HistoryEvent, ProtoMessage } from '../../../src/actors/history/events.js';
import type { ActivityInfo } from '../../../src/actors/mutableState/mutableState.js';
import type { DueTimer, TimerKindName } from '../../../src/actors/timers/timerKinds.js';
import { defaultCommandHandlers, type ProtoCommand } from '../../../src/actors/workflowTask/commandHandlers.js';
import { completeWorkflowTask } from '../../../src/actors/workflowTask/completeWorkflowTask.js';
import { signalWorkflow } from '../../../src/actors/workflowTask/signalWorkflow.js';
import type { TransitionResult } from '../../../src/actors/workflowTask/transition.js';
import { RunHarness } from '../workflowTask/runHarness.js';

/** The completion's handler table: the defaults plus the activity commands. */
export const activityHandlers = { ...defaultCommandHandlers, ...activityCommandHandlers };

/** Seconds as a proto-loader Duration. */
export function seconds(count: number): ProtoMessage {
  return { seconds: String(count), nanos: 0 };
}

/** A SCHEDULE_ACTIVITY_TASK command; `attributes` override the defaults (start-to-close 10 s, default policy). */
export function scheduleCommand(activityId: string, attributes: ProtoMessage = {}): ProtoCommand {
  return {
    commandType: 'COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK',
    scheduleActivityTaskCommandAttributes: {
      activityId,
      activityType: { name: 'greet' },
      taskQueue: { name: 'tq', kind: 'TASK_QUEUE_KIND_NORMAL' },
      input: { payloads: [{ data: activityId }] },
      startToCloseTimeout: seconds(10),
      ...attributes,
    },
  };
}

/** A REQUEST_CANCEL_ACTIVITY_TASK command. */
export function cancelCommand(scheduledEventId: number): ProtoCommand {
  return {
    commandType: 'COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK',
    requestCancelActivityTaskCommandAttributes: { scheduledEventId: String(scheduledEventId) },
  };
}

/** An application failure of `type`. */
export function appFailure(message: string, type = 'Error', nonRetryable = false): ProtoMessage {
  return { message, source: 'TypeScriptSDK', applicationFailureInfo: { type, nonRetryable } };
}

/** A run driven through activity transitions. */
export class ActivityRun extends RunHarness {
  /** Completes the started workflow task with `commands` and the activity handlers. */
  completeWith(commands: readonly ProtoCommand[]): TransitionResult {
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
        c,
        activityHandlers
      )
    );
  }

  /** Polls the scheduled workflow task (signaling first if none is pending) and completes it with `commands`. */
  decide(commands: readonly ProtoCommand[]): TransitionResult {
    if (this.state.workflowTask.phase === 'none') {
      this.apply((s, c) => signalWorkflow(s, { signalName: 'wake', identity: 'client', requestId: '' }, c));
    }
    if (this.state.workflowTask.phase === 'scheduled') this.poll();
    return this.completeWith(commands);
  }

  /** The scheduledEventIds of the ActivityTaskScheduled events `result` wrote. */
  scheduledIds(result: TransitionResult): number[] {
    return result.events
      .filter((event) => event.eventType === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED')
      .map((event) => Number(event.eventId));
  }

  activity(scheduledEventId: number): ActivityInfo {
    const activity = this.state.activities[String(scheduledEventId)];
    if (activity === undefined) throw new Error(`test bug: no activity ${scheduledEventId}`);
    return activity;
  }

  start(scheduledEventId: number, requestId = `apoll-${this.taskIdNext}`): TransitionResult {
    const attempt = this.activity(scheduledEventId).attempt;
    return this.apply((s, c) =>
      startActivityTask(s, { scheduledEventId, attempt, requestId, identity: 'activity-worker' }, c)
    );
  }

  respond(scheduledEventId: number, response: ActivityAttemptResponse, attempt?: number): TransitionResult {
    const current = attempt ?? this.activity(scheduledEventId).attempt;
    return this.apply((s, c) => respondActivityTask(s, { scheduledEventId, attempt: current, response }, c));
  }

  heartbeat(scheduledEventId: number, details?: ProtoMessage): TransitionResult {
    const attempt = this.activity(scheduledEventId).attempt;
    return this.apply((s, c) =>
      heartbeatActivityTask(
        s,
        { scheduledEventId, attempt, identity: 'activity-worker', ...(details ? { details } : {}) },
        c
      )
    );
  }

  /** The one derived timer of `kind` for the activity. */
  timer(scheduledEventId: number, kind: TimerKindName): DueTimer {
    const found = activityTimersOf(this.state).filter(
      (due) =>
        due.timer.kind === kind && 'scheduledEventId' in due.timer && due.timer.scheduledEventId === scheduledEventId
    );
    if (found.length !== 1) throw new Error(`test bug: ${found.length} ${kind} timers for ${scheduledEventId}`);
    return found[0] as DueTimer;
  }

  /** Fires `due` at `atMs` (default: exactly when due); null when the engine says it is stale or early. */
  fire(due: DueTimer, atMs = due.fireAtMs): TransitionResult | null {
    this.nowMs = atMs;
    const result = fireActivityTimer(this.state, due.timer, this.context());
    if (result !== null) {
      this.apply(() => result);
    }
    return result;
  }
}

/** The attributes member of an event. */
export function attrs(event: HistoryEvent | undefined): Record<string, unknown> {
  if (event === undefined) throw new Error('test bug: no event');
  const record = event as unknown as Record<string, unknown>;
  return record[event.attributes] as Record<string, unknown>;
}
