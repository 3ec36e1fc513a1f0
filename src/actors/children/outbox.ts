/**
 * The cross-run deliveries a run's state implies right now (TEMPORAL-API.md §5.10), DERIVED like server timers:
 * the host re-derives them after every commit and on restart, performs each one idempotently (the target uses
 * `dedupKey` as its requestId), then applies the matching result transition to the source run:
 *
 * | item           | host performs                                      | then applies on the source                |
 * |----------------|----------------------------------------------------|-------------------------------------------|
 * | startChild     | start the child (childStartRequest/-Input)         | childStarted, or childStartFailed         |
 * | signalExternal | signalWorkflow on the target                       | externalDelivered, or externalFailed      |
 * | cancelExternal | requestCancelWorkflow on the target                | externalDelivered, or externalFailed      |
 * | notifyParent   | childClosed on the parent (null = already done)    | parentNotified (on the child)             |
 * | terminateChild | terminateWorkflow on the child (parent closed)     | policyApplied, also if the child is gone  |
 * | cancelChild    | requestCancelWorkflow on the child (parent closed) | policyApplied, also if the child is gone  |
 *
 * An item is done exactly when it no longer appears in `outboxOf` of the source's latest state; until then the host
 * retries it (with backoff: a result transition may answer ChildResultNotReadyError).
 */

import type { ChildInfo, ExternalRequestInfo, MutableState, ParentInfo } from '../mutableState/mutableState.js';
import { childCloseReportOf, type ChildCloseReport } from './childCloseEvents.js';
import { childStartRequestId } from './childCommands.js';

/** The run a delivery goes to; runId '' = the workflow's current run. */
export interface OutboxTarget {
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string;
}

/** One delivery. `dedupKey` is stable for the item's whole life: the receiver's requestId. */
export type OutboxItem =
  | { readonly kind: 'startChild'; readonly dedupKey: string; readonly child: ChildInfo }
  | {
      readonly kind: 'signalExternal' | 'cancelExternal';
      readonly dedupKey: string;
      readonly target: OutboxTarget;
      /** Deliver only if the target is a child of the source (else externalFailed). */
      readonly childWorkflowOnly: boolean;
      readonly request: ExternalRequestInfo;
    }
  | {
      readonly kind: 'notifyParent';
      readonly dedupKey: string;
      readonly parent: ParentInfo;
      /** What childClosed takes on the parent. */
      readonly report: ChildCloseReport;
      /** The child's workflow type, for logs (the parent knows it too). */
      readonly workflowType: string;
      readonly closeEventId: number;
    }
  | {
      readonly kind: 'terminateChild' | 'cancelChild';
      readonly dedupKey: string;
      readonly target: OutboxTarget;
      readonly initiatedEventId: number;
    };

/** The reason written on a child terminated or cancel-requested by its parent's close policy. */
export const PARENT_CLOSE_POLICY_REASON = 'by parent close policy';

function dedupKey(state: MutableState, initiatedEventId: number, kind: OutboxItem['kind']): string {
  return `${state.executionInfo.runId}/${initiatedEventId}/${kind}`;
}

/** startChild for a running parent; the close-policy actions for a closed one. */
function childItems(state: MutableState): OutboxItem[] {
  const items: OutboxItem[] = [];
  for (const child of Object.values(state.children)) {
    if (state.closeState === null) {
      if (child.phase === 'initiated')
        items.push({ kind: 'startChild', dedupKey: childStartRequestId(state, child), child });
      continue;
    }
    // A closed parent starts no child; an initiated one is dropped, an abandoned one left alone.
    const kind =
      child.parentClosePolicy === 'PARENT_CLOSE_POLICY_TERMINATE'
        ? 'terminateChild'
        : child.parentClosePolicy === 'PARENT_CLOSE_POLICY_REQUEST_CANCEL'
          ? 'cancelChild'
          : null;
    if (child.phase === 'started' && kind !== null) {
      items.push({
        kind,
        dedupKey: dedupKey(state, child.initiatedEventId, kind),
        target: { namespace: child.namespace, workflowId: child.workflowId, runId: child.runId },
        initiatedEventId: child.initiatedEventId,
      });
    }
  }
  return items;
}

function externalItems(state: MutableState): OutboxItem[] {
  return Object.values(state.externalRequests).map((request) => {
    const kind = request.kind === 'signal' ? 'signalExternal' : 'cancelExternal';
    return {
      kind,
      dedupKey: dedupKey(state, request.initiatedEventId, kind),
      target: { namespace: request.namespace, workflowId: request.workflowId, runId: request.runId },
      childWorkflowOnly: request.childWorkflowOnly,
      request,
    };
  });
}

function notifyParentItems(state: MutableState): OutboxItem[] {
  const report = childCloseReportOf(state);
  if (report === null || state.parent === null || state.closeState === null || state.parentNotified) return [];
  return [
    {
      kind: 'notifyParent',
      dedupKey: dedupKey(state, state.parent.initiatedEventId, 'notifyParent'),
      parent: state.parent,
      report,
      workflowType: state.executionInfo.workflowType,
      closeEventId: state.closeState.closeEventId,
    },
  ];
}

/**
 * Every delivery `state` implies now: children, then external requests (each by initiated id: integer-like keys
 * iterate in ascending order), then the parent's.
 */
export function outboxOf(state: MutableState): OutboxItem[] {
  return [...childItems(state), ...externalItems(state), ...notifyParentItems(state)];
}
