/**
 * Test helpers for timer, marker and workflow-timer tests: a run harness with run/execution timeouts, completion
 * with the timer and marker command handlers merged in, command builders and realistic payloads (the shape the TS
 * SDK sends through proto-loader: bytes fields as Buffers).
 */

import type { ProtoMessage } from '../../../src/actors/history/events.js';
import { userTimerCommandHandlers } from '../../../src/actors/timers/userTimerCommands.js';
import {
  defaultCommandHandlers,
  type CommandHandlerTable,
  type ProtoCommand,
} from '../../../src/actors/workflowTask/commandHandlers.js';
import { completeWorkflowTask } from '../../../src/actors/workflowTask/completeWorkflowTask.js';
import { markerCommandHandlers } from '../../../src/actors/workflowTask/markerCommands.js';
import { signalWorkflow } from '../../../src/actors/workflowTask/signalWorkflow.js';
import { startWorkflow } from '../../../src/actors/workflowTask/startWorkflow.js';
import type { TransitionResult } from '../../../src/actors/workflowTask/transition.js';
import { RunHarness, startTimeMs } from '../workflowTask/runHarness.js';

/** The default handlers plus this feature's. */
export const timerAndMarkerHandlers: CommandHandlerTable = {
  ...defaultCommandHandlers,
  ...userTimerCommandHandlers,
  ...markerCommandHandlers,
};

/** A harness whose run has the given run and execution timeouts (ms, 0 = none), started at `startTimeMs`. */
export function runWithTimeouts(workflowRunTimeoutMs: number, workflowExecutionTimeoutMs: number): RunHarness {
  const run = new RunHarness();
  const executionInfo = { ...run.state.executionInfo, workflowRunTimeoutMs, workflowExecutionTimeoutMs, startTimeMs };
  const result = startWorkflow({ executionInfo, identity: 'client' }, { nowMs: startTimeMs, taskIdFirst: 1 });
  run.state = result.state;
  run.history.splice(0, run.history.length, ...result.events);
  return run;
}

/** Completes the started task with `commands` through the merged handler table. */
export function completeWith(
  run: RunHarness,
  commands: readonly ProtoCommand[],
  options: { stickiness?: { stickyTaskQueue: string; scheduleToStartTimeoutMs: number }; force?: boolean } = {}
): TransitionResult {
  const task = run.token();
  return run.apply((s, c) =>
    completeWorkflowTask(
      s,
      {
        task,
        identity: 'worker',
        commands,
        metadata: {},
        stickiness: options.stickiness ?? null,
        forceCreateNewWorkflowTask: options.force ?? false,
        messages: [],
      },
      c,
      timerAndMarkerHandlers
    )
  );
}

/** Sends a signal so the run gets a new workflow task (or buffers it while one is started). */
export function signal(run: RunHarness): TransitionResult {
  return run.apply((s, c) => signalWorkflow(s, { signalName: 'nudge', identity: 'client', requestId: '' }, c));
}

/** START_TIMER for `timerId` with a Duration. */
export function startTimer(timerId: string, startToFireTimeout: ProtoMessage): ProtoCommand {
  return {
    commandType: 'COMMAND_TYPE_START_TIMER',
    startTimerCommandAttributes: { timerId, startToFireTimeout },
    attributes: 'startTimerCommandAttributes',
  };
}

/** CANCEL_TIMER for `timerId`. */
export function cancelTimer(timerId: string): ProtoCommand {
  return {
    commandType: 'COMMAND_TYPE_CANCEL_TIMER',
    cancelTimerCommandAttributes: { timerId },
    attributes: 'cancelTimerCommandAttributes',
  };
}

/** A Duration of whole milliseconds, as proto-loader decodes it. */
export function durationOfMs(durationMs: number): ProtoMessage {
  return { seconds: String(Math.floor(durationMs / 1000)), nanos: (durationMs % 1000) * 1_000_000 };
}

/** A JSON payload as the TS SDK's default converter encodes it (`json/plain`), optionally with a type. */
export function jsonPayload(json: string, type?: string): ProtoMessage {
  return {
    metadata: {
      encoding: Buffer.from('json/plain'),
      ...(type === undefined ? {} : { type: Buffer.from(type) }),
    },
    data: Buffer.from(json),
  };
}
