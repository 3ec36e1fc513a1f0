/**
 * Results of the child outbox items (TEMPORAL-API.md §5.10), as pure transitions the host applies after it
 * performed the item: on the parent `childStarted`, `childStartFailed`, `childClosed` and, for a closed parent,
 * `policyApplied`; on the child `parentNotified`.
 *
 * Answers: a TransitionResult = recorded; null = nothing to record, the item is done (stale or duplicate result,
 * or the parent is closed and ignores child results); {@link ChildResultNotReadyError} = not recordable yet, the
 * item stays in `outboxOf` and the host retries it later.
 *
 * Why childStarted is not buffered: ChildInfo.startedEventId must be the Started event's id (the close event names
 * it), and a buffered event gets its id only at flush, which does not update `children`. So while the parent's
 * workflow task is started, childStarted answers not-ready instead of buffering; the host retries after that task
 * closes. The close and start-failed events need no such id and are buffered as usual.
 */

import type { ProtoMessage } from '../history/events.js';
import type { ChildInfo, MutableState } from '../mutableState/mutableState.js';
import { acceptOutsideEventIn } from '../workflowTask/bufferedEvents.js';
import { InvalidTransitionInputError } from '../workflowTask/errors.js';
import { TransitionDraft, type TransitionContext, type TransitionResult } from '../workflowTask/transition.js';
import { childCloseEvent, type ChildCloseReport } from './childCloseEvents.js';

/** The result cannot be recorded yet; retry the outbox item later (its state has not changed). */
export class ChildResultNotReadyError extends Error {
  override readonly name = 'ChildResultNotReadyError';
}

/** The child started: its first run's id. */
export interface ChildStartedInput {
  readonly initiatedEventId: number;
  readonly runId: string;
}

/** The child could not start. */
export interface ChildStartFailedInput {
  readonly initiatedEventId: number;
  readonly cause: 'START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_WORKFLOW_ALREADY_EXISTS';
}

/** The pending child of a running parent at `initiatedEventId`, or null (closed parent, unknown or closed child). */
function pendingChild(state: MutableState, initiatedEventId: number): ChildInfo | null {
  if (state.closeState !== null) return null;
  const key = String(initiatedEventId);
  return Object.hasOwn(state.children, key) ? (state.children[key] ?? null) : null;
}

/** `children` without the child at `initiatedEventId`. */
function withoutChild(state: MutableState, initiatedEventId: number): MutableState['children'] {
  const children = { ...state.children };
  delete children[String(initiatedEventId)];
  return children;
}

/** Records ChildWorkflowExecutionStarted and moves the child to phase 'started'. */
export function childStarted(
  state: MutableState,
  input: ChildStartedInput,
  context: TransitionContext
): TransitionResult | null {
  const child = pendingChild(state, input.initiatedEventId);
  if (child === null || child.phase !== 'initiated') return null;
  if (input.runId === '') throw new InvalidTransitionInputError('childStarted needs the started child run id');
  const draft = new TransitionDraft(state, context);
  const header = child.request['header'];
  const attributes: ProtoMessage = {
    namespace: child.namespace,
    initiatedEventId: String(child.initiatedEventId),
    workflowExecution: { workflowId: child.workflowId, runId: input.runId },
    workflowType: { name: child.workflowType },
    ...(header === undefined ? {} : { header }),
  };
  // The event's id is known only when it is written (at once, or when the buffer is flushed): the flush records it.
  const updated: ChildInfo = { ...child, phase: 'started', runId: input.runId, startedEventId: 0 };
  draft.update({ children: { ...draft.state.children, [String(child.initiatedEventId)]: updated } });
  acceptOutsideEventIn(draft, { kind: 'childStarted', initiatedEventId: child.initiatedEventId, attributes });
  return draft.finish();
}

/** Records StartChildWorkflowExecutionFailed and forgets the child. */
export function childStartFailed(
  state: MutableState,
  input: ChildStartFailedInput,
  context: TransitionContext
): TransitionResult | null {
  const child = pendingChild(state, input.initiatedEventId);
  if (child === null || child.phase !== 'initiated') return null;
  const draft = new TransitionDraft(state, context);
  acceptOutsideEventIn(draft, {
    kind: 'loose',
    eventType: 'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED',
    attributes: {
      namespace: child.namespace,
      workflowId: child.workflowId,
      workflowType: { name: child.workflowType },
      cause: input.cause,
      control: child.request['control'] ?? '',
      initiatedEventId: String(child.initiatedEventId),
      workflowTaskCompletedEventId: child.request['workflowTaskCompletedEventId'] ?? '0',
    },
  });
  draft.update({ children: withoutChild(draft.state, child.initiatedEventId) });
  return draft.finish();
}

/** Records the child's close (buffered while a task runs) and forgets the child. */
export function childClosed(
  state: MutableState,
  report: ChildCloseReport,
  context: TransitionContext
): TransitionResult | null {
  const child = pendingChild(state, report.initiatedEventId);
  if (child === null) return null;
  if (child.phase !== 'started' || child.startedEventId === 0) {
    throw new ChildResultNotReadyError(`child ${child.workflowId} closed before its start was recorded; retry later`);
  }
  const draft = new TransitionDraft(state, context);
  const event = childCloseEvent(child, report);
  acceptOutsideEventIn(draft, { kind: 'loose', eventType: event.eventType, attributes: event.attributes });
  draft.update({ children: withoutChild(draft.state, child.initiatedEventId) });
  return draft.finish();
}

/**
 * On a CLOSED parent: the parent close policy was applied to the child at `initiatedEventId` (terminated, cancel
 * requested, or found gone), so its outbox item is done. Unlike other transitions this one is for closed runs only
 * (it throws on a running one); it writes no event. null = the child was already forgotten.
 */
export function policyApplied(
  state: MutableState,
  initiatedEventId: number,
  context: TransitionContext
): TransitionResult | null {
  if (state.closeState === null) {
    throw new InvalidTransitionInputError('policyApplied is for closed parents; a running parent keeps its children');
  }
  if (!Object.hasOwn(state.children, String(initiatedEventId))) return null;
  const draft = new TransitionDraft(state, context);
  draft.update({ children: withoutChild(state, initiatedEventId) });
  return draft.finish();
}

/** On a CLOSED child: its parent recorded the close (or ignores it), so the notifyParent item is done. */
export function parentNotified(state: MutableState, context: TransitionContext): TransitionResult | null {
  if (state.closeState === null || state.parent === null) {
    throw new InvalidTransitionInputError('parentNotified is for closed runs that have a parent');
  }
  if (state.parentNotified) return null;
  const draft = new TransitionDraft(state, context);
  draft.update({ parentNotified: true });
  return draft.finish();
}
