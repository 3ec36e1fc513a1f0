/**
 * Outside events (signals, cancel requests) and the buffer (TEMPORAL-API.md §5.2): while a workflow task is
 * started they wait in the buffer; otherwise they are written at once and make sure a task will see them.
 */

import { invariant } from '../../raft/core/errors.js';
import { workflowExecutionCancelRequestedEvent, workflowExecutionSignaledEvent } from '../history/events.js';
import { looseEvent } from '../history/looseEvents.js';
import type { BufferedEvent, MutableState } from '../mutableState/mutableState.js';
import { defaultQueueKind, scheduleWorkflowTaskIn } from './scheduleWorkflowTask.js';
import type { TransitionDraft } from './transition.js';

/** Writes one outside event now (ids and time are assigned at write, so a flush keeps time non-decreasing). */
function writeOutsideEventIn(draft: TransitionDraft, event: BufferedEvent): void {
  switch (event.kind) {
    case 'signaled':
      draft.append(workflowExecutionSignaledEvent, event.attributes);
      return;
    case 'cancelRequested':
      draft.append(workflowExecutionCancelRequestedEvent, event.attributes);
      return;
    case 'loose':
      draft.append(looseEvent(event.eventType), event.attributes);
      return;
    case 'childStarted': {
      const started = draft.append(looseEvent('EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED'), event.attributes);
      const key = String(event.initiatedEventId);
      const child = Object.hasOwn(draft.state.children, key) ? draft.state.children[key] : undefined;
      if (child !== undefined) {
        const updated = { ...child, startedEventId: Number(started.eventId) };
        draft.update({ children: { ...draft.state.children, [key]: updated } });
      }
      return;
    }
    case 'activityClosed': {
      const started = draft.append(looseEvent('EVENT_TYPE_ACTIVITY_TASK_STARTED'), event.startedAttributes);
      draft.append(looseEvent(event.closeEventType), { ...event.closeAttributes, startedEventId: started.eventId });
      return;
    }
  }
}

/** Writes every buffered event in arrival order and empties the buffer. */
export function flushBufferedEventsIn(draft: TransitionDraft): number {
  const buffered = draft.state.bufferedEvents;
  draft.update({ bufferedEvents: [] });
  for (const event of buffered) {
    writeOutsideEventIn(draft, event);
  }
  return buffered.length;
}

/**
 * Accepts an outside event: buffered while a task is started; otherwise written, then a task is scheduled if none
 * is pending, and a transient scheduled task becomes a written first attempt (a new event resets attempts, §5.3).
 */
export function acceptOutsideEventIn(draft: TransitionDraft, event: BufferedEvent): void {
  const task = draft.state.workflowTask;
  invariant(draft.state.closeState === null, 'outside event on a closed run');
  if (task.phase === 'started') {
    draft.update({ bufferedEvents: [...draft.state.bufferedEvents, event] });
    return;
  }
  invariant(draft.state.bufferedEvents.length === 0, 'events are buffered only while a task is started');
  writeOutsideEventIn(draft, event);
  if (task.phase === 'none' && awaitsFirstTaskBackoff(draft.state)) {
    return; // a retry's (or continue-as-new's) first task waits for its backoff timer, which will see the event
  }
  if (task.phase === 'none') {
    scheduleWorkflowTaskIn(draft, 1, defaultQueueKind(draft.state));
  } else if (task.transient) {
    // The transient attempt's dispatched task is now stale (its scheduledEventId is taken by this event).
    draft.update({ workflowTask: { phase: 'none' } });
    scheduleWorkflowTaskIn(draft, 1, 'normal');
  }
}

/** True while a run started with a first-workflow-task backoff has not had its first task scheduled yet. */
export function awaitsFirstTaskBackoff(state: MutableState): boolean {
  return (
    state.firstWorkflowTaskBackoffMs > 0 &&
    state.previousStartedEventId === 0 &&
    state.workflowTask.phase === 'none' &&
    state.closeState === null
  );
}
