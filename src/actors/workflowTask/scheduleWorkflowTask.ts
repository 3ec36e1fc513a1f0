/**
 * Scheduling a workflow task. A first attempt (or any task after new events) writes WorkflowTaskScheduled; a
 * retry with attempt ≥ 2 and no new events is transient: nothing is written and its ids are the ones it will get
 * if it succeeds (TEMPORAL-API.md §5.3). A sticky task also arms its schedule-to-start timer (§5.6).
 */

import { invariant } from '../../raft/core/errors.js';
import {
  workflowTaskScheduledEvent,
  type ProtoTaskQueue,
  type WorkflowTaskScheduledAttributes,
} from '../history/events.js';
import { durationFromMs } from '../history/protoTime.js';
import type { MutableState, WorkflowTaskQueueKind } from '../mutableState/mutableState.js';
import { requireRunning, TransitionDraft, type TransitionContext, type TransitionResult } from './transition.js';

/** The queue a task goes to: sticky while the run has stickiness, else normal. */
export function defaultQueueKind(state: MutableState): WorkflowTaskQueueKind {
  return state.stickiness === null ? 'normal' : 'sticky';
}

/** The TaskQueue message for a queue kind. */
export function taskQueueOf(state: MutableState, queue: WorkflowTaskQueueKind): ProtoTaskQueue {
  const normalName = state.executionInfo.taskQueue;
  if (queue === 'normal') {
    return { name: normalName, kind: 'TASK_QUEUE_KIND_NORMAL' };
  }
  invariant(state.stickiness !== null, 'a sticky workflow task needs stickiness');
  return { name: state.stickiness.stickyTaskQueue, kind: 'TASK_QUEUE_KIND_STICKY', normalName };
}

/** Schedules a task in `draft` (none may be pending): writes it unless transient, and plans its dispatch. */
export function scheduleWorkflowTaskIn(draft: TransitionDraft, attempt: number, queue: WorkflowTaskQueueKind): void {
  const state = draft.state;
  invariant(state.workflowTask.phase === 'none', () => `scheduling over a ${state.workflowTask.phase} task`);
  invariant(Number.isSafeInteger(attempt) && attempt >= 1, () => `attempt must be >= 1, got ${attempt}`);
  // Stickiness is cleared by every failure and set only by a completion, which resets the attempt.
  invariant(queue === 'normal' || attempt === 1, () => `a sticky task must be attempt 1, got ${attempt}`);
  invariant(state.bufferedEvents.length === 0, 'events must be flushed before a task is scheduled');
  const transient = attempt >= 2;
  const nowMs = Math.max(draft.context.nowMs, state.lastEventTimeMs);
  let scheduledEventId = state.nextEventId;
  if (!transient) {
    const event = draft.append(workflowTaskScheduledEvent, scheduledAttributes(state, attempt, queue), nowMs);
    scheduledEventId = Number(event.eventId);
  }
  draft.update({
    workflowTask: { phase: 'scheduled', attempt, queue, scheduledEventId, scheduledTimeMs: nowMs, transient },
  });
  const taskQueue = taskQueueOf(state, queue).name;
  draft.effect({ kind: 'dispatchWorkflowTask', queue, taskQueue, scheduledEventId, attempt });
  if (queue === 'sticky') {
    invariant(state.stickiness !== null, 'a sticky workflow task needs stickiness');
    const fireAtMs = nowMs + state.stickiness.scheduleToStartTimeoutMs;
    draft.effect({ kind: 'armTimer', timer: 'workflowTaskScheduleToStart', fireAtMs, scheduledEventId, attempt });
  }
}

/** The attributes of a task's Scheduled event (also used for a transient attempt's unwritten one). */
export function scheduledAttributes(
  state: MutableState,
  attempt: number,
  queue: WorkflowTaskQueueKind
): WorkflowTaskScheduledAttributes {
  return {
    taskQueue: taskQueueOf(state, queue),
    startToCloseTimeout: durationFromMs(state.executionInfo.workflowTaskTimeoutMs),
    attempt,
  };
}

/**
 * Schedules a workflow task if none is pending (e.g. when a first-task backoff timer fires); a no-op otherwise,
 * because the pending task will see every event written so far.
 */
export function scheduleWorkflowTask(state: MutableState, context: TransitionContext): TransitionResult {
  requireRunning(state);
  const draft = new TransitionDraft(state, context);
  if (state.workflowTask.phase === 'none') {
    scheduleWorkflowTaskIn(draft, 1, defaultQueueKind(state));
  }
  return draft.finish();
}
