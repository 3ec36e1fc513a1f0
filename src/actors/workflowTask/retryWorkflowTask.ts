/**
 * What follows a failed or timed-out workflow task (TEMPORAL-API.md §5.3, §5.6): stickiness is cleared and the
 * task is retried at once on the normal queue. A sticky failure keeps its attempt; a normal one increments it,
 * which makes the retry transient. Buffered events are flushed first, and new events reset the attempt to 1.
 */

import { invariant } from '../../raft/core/errors.js';
import { workflowTaskFailedEvent, type ProtoMessage, type WorkflowTaskFailedCause } from '../history/events.js';
import type { WorkflowTaskState } from '../mutableState/mutableState.js';
import { flushBufferedEventsIn } from './bufferedEvents.js';
import { scheduleWorkflowTaskIn } from './scheduleWorkflowTask.js';
import type { TransitionDraft } from './transition.js';

/** A task that was pending when it failed. */
export type EndedTask = Exclude<WorkflowTaskState, { phase: 'none' }>;

/** Ends the current task (its failure event, if any, is already written) and schedules its retry. */
export function retryWorkflowTaskIn(draft: TransitionDraft, ended: EndedTask): void {
  invariant(draft.state.closeState === null, 'retrying a task of a closed run');
  draft.update({ workflowTask: { phase: 'none' }, stickiness: null });
  const flushedCount = flushBufferedEventsIn(draft);
  const retryAttempt = ended.queue === 'sticky' ? ended.attempt : ended.attempt + 1;
  scheduleWorkflowTaskIn(draft, flushedCount > 0 ? 1 : retryAttempt, 'normal');
}

/** What a WorkflowTaskFailed event records. */
export interface WorkflowTaskFailure {
  readonly cause: WorkflowTaskFailedCause;
  readonly failure?: ProtoMessage;
  readonly identity: string;
  readonly binaryChecksum?: string;
}

/** Fails the started task: writes WorkflowTaskFailed unless the attempt is transient, then retries. */
export function failStartedWorkflowTaskIn(draft: TransitionDraft, failure: WorkflowTaskFailure): void {
  const task = draft.state.workflowTask;
  invariant(task.phase === 'started', () => `failing a ${task.phase} task`);
  if (!task.transient) {
    draft.append(workflowTaskFailedEvent, {
      scheduledEventId: String(task.scheduledEventId),
      startedEventId: String(task.startedEventId),
      cause: failure.cause,
      ...(failure.failure === undefined ? {} : { failure: failure.failure }),
      identity: failure.identity,
      ...(failure.binaryChecksum === undefined ? {} : { binaryChecksum: failure.binaryChecksum }),
    });
  }
  retryWorkflowTaskIn(draft, task);
}
