/**
 * A poller takes a workflow task (TEMPORAL-API.md §5.1, §5.3). A first attempt writes WorkflowTaskStarted; a
 * transient attempt (≥ 2) writes nothing and its Scheduled/Started go only to the poll response as a suffix. The
 * start-to-close timer is armed either way. A poll retried with the same requestId gets the same answer.
 */

import { markUpdatesDeliveredIn } from '../updates/updateMessages.js';
import { workflowTaskScheduledEvent, workflowTaskStartedEvent, type HistoryEvent } from '../history/events.js';
import type { MutableState, WorkflowTaskState } from '../mutableState/mutableState.js';
import { InvalidTransitionInputError, StaleTaskError } from './errors.js';
import { scheduledAttributes } from './scheduleWorkflowTask.js';
import {
  requireRunning,
  TransitionDraft,
  type TransitionContext,
  type TransitionResult,
  type WorkflowTaskRef,
} from './transition.js';

/** RecordWorkflowTaskStarted's input: which task the matching layer handed out, and to whom. */
export interface StartWorkflowTaskInput extends WorkflowTaskRef {
  readonly requestId: string;
  readonly identity: string;
  /** Size of the written history (the caller knows it from storage); feeds `workflowInfo()` (§5.1). */
  readonly historySizeBytes: number;
}

type StartedTask = Extract<WorkflowTaskState, { phase: 'started' }>;

/** The Scheduled/Started pair of a transient attempt, built but not written. */
function transientSuffix(draft: TransitionDraft, task: StartedTask): HistoryEvent[] {
  const state = draft.state;
  const scheduled = draft.buildUnwritten(
    workflowTaskScheduledEvent,
    task.scheduledEventId,
    task.scheduledTimeMs,
    scheduledAttributes(state, task.attempt, task.queue)
  );
  const started = draft.buildUnwritten(workflowTaskStartedEvent, task.startedEventId, task.startedTimeMs, {
    scheduledEventId: String(task.scheduledEventId),
    identity: task.identity,
    requestId: task.requestId,
    historySizeBytes: String(task.historySizeBytes),
  });
  return [scheduled, started];
}

/** Plans the poll's answer for a started task. */
function respondIn(draft: TransitionDraft, task: StartedTask): void {
  const transientEvents = task.transient ? transientSuffix(draft, task) : [];
  draft.effect({
    kind: 'respondWorkflowTaskStarted',
    requestId: task.requestId,
    scheduledEventId: task.scheduledEventId,
    startedEventId: task.startedEventId,
    previousStartedEventId: draft.state.previousStartedEventId,
    attempt: task.attempt,
    queue: task.queue,
    scheduledTimeMs: task.scheduledTimeMs,
    startedTimeMs: task.startedTimeMs,
    transientEvents,
    historyLength: draft.state.nextEventId - 1 + transientEvents.length,
  });
}

/** Records that a poller took the task `input` names; StaleTaskError if it is not the current scheduled one. */
export function startWorkflowTask(
  state: MutableState,
  input: StartWorkflowTaskInput,
  context: TransitionContext
): TransitionResult {
  requireRunning(state);
  if (!Number.isSafeInteger(input.historySizeBytes) || input.historySizeBytes < 0) {
    throw new InvalidTransitionInputError(`historySizeBytes must be an integer >= 0, got ${input.historySizeBytes}`);
  }
  const task = state.workflowTask;
  const draft = new TransitionDraft(state, context);
  const sameTask =
    task.phase !== 'none' && task.scheduledEventId === input.scheduledEventId && task.attempt === input.attempt;
  if (sameTask && task.phase === 'started' && task.requestId === input.requestId) {
    respondIn(draft, task); // a retried RecordWorkflowTaskStarted: same answer, nothing new
    return draft.finish();
  }
  if (!sameTask || task.phase !== 'scheduled') {
    throw new StaleTaskError(
      `workflow task {scheduledEventId ${input.scheduledEventId}, attempt ${input.attempt}} is not pending ` +
        `(current: ${task.phase}); drop it and poll again`
    );
  }
  const nowMs = Math.max(context.nowMs, state.lastEventTimeMs);
  let startedEventId = state.nextEventId;
  if (task.transient) {
    startedEventId = task.scheduledEventId + 1; // its Scheduled is unwritten too: both ids are reserved
  } else {
    draft.append(workflowTaskStartedEvent, {
      scheduledEventId: String(task.scheduledEventId),
      identity: input.identity,
      requestId: input.requestId,
      historySizeBytes: String(input.historySizeBytes),
    });
  }
  const started: StartedTask = {
    ...task,
    phase: 'started',
    startedEventId,
    startedTimeMs: nowMs,
    requestId: input.requestId,
    identity: input.identity,
    historySizeBytes: input.historySizeBytes,
  };
  draft.update({ workflowTask: started });
  // Every admitted update rides on this task (§5.9): its poll answer carries their request messages.
  markUpdatesDeliveredIn(draft, startedEventId);
  const fireAtMs = nowMs + state.executionInfo.workflowTaskTimeoutMs;
  const ref = { scheduledEventId: task.scheduledEventId, attempt: task.attempt };
  draft.effect({ kind: 'armTimer', timer: 'workflowTaskStartToClose', fireAtMs, ...ref });
  respondIn(draft, started);
  return draft.finish();
}
