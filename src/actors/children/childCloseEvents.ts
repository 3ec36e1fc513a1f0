/**
 * How a child's close reads on each side (TEMPORAL-API.md §5.10): {@link childCloseReportOf} turns a closed child
 * run into the report its parent needs, and {@link childCloseEvent} turns that report into the parent's
 * ChildWorkflowExecution{Completed|Failed|Canceled|Terminated|TimedOut} event.
 */

import { invariant } from '../../raft/core/errors.js';
import type { ProtoMessage } from '../history/events.js';
import type { LooseEventType } from '../history/looseEvents.js';
import type { ChildInfo, CloseState, MutableState } from '../mutableState/mutableState.js';

/** Temporal's retry state of a run that is not retried (Cairn does not retry workflows yet). */
export const RETRY_STATE_NOT_RETRIED = 'RETRY_STATE_RETRY_POLICY_NOT_SET';

/** A child chain's final close, as delivered to the parent (the input of `childClosed`). */
export interface ChildCloseReport {
  /** The parent's StartChildWorkflowExecutionInitiated id. */
  readonly initiatedEventId: number;
  /** The run that closed: the chain's last run, which continue-as-new may have made differ from the first. */
  readonly runId: string;
  readonly status: CloseState['status'];
  /** Result (completed), failure (failed), details (canceled); null otherwise. */
  readonly payload: ProtoMessage | null;
  /** `RETRY_STATE_*` for failed and timed-out children; defaults to {@link RETRY_STATE_NOT_RETRIED}. */
  readonly retryState?: string;
}

/**
 * The report of a closed child run for its parent, or null when there is none to send: the run is open, has no
 * parent, or its chain goes on (continue-as-new, retry and cron set newExecutionRunId; the next run reports).
 */
export function childCloseReportOf(child: MutableState): ChildCloseReport | null {
  const close = child.closeState;
  if (close === null || child.parent === null || close.newExecutionRunId !== '') return null;
  return {
    initiatedEventId: child.parent.initiatedEventId,
    runId: child.executionInfo.runId,
    status: close.status,
    payload: close.payload,
    ...(close.status === 'failed' || close.status === 'timedOut' ? { retryState: RETRY_STATE_NOT_RETRIED } : {}),
  };
}

/** The parent's close event type and its status-specific attributes. */
function statusPart(report: ChildCloseReport): { eventType: LooseEventType; attributes: ProtoMessage } {
  const payload = report.payload;
  const retryState = report.retryState ?? RETRY_STATE_NOT_RETRIED;
  switch (report.status) {
    case 'completed':
      return {
        eventType: 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED',
        attributes: payload === null ? {} : { result: payload },
      };
    case 'failed':
      return {
        eventType: 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED',
        attributes: { ...(payload === null ? {} : { failure: payload }), retryState },
      };
    case 'canceled':
      return {
        eventType: 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED',
        attributes: payload === null ? {} : { details: payload },
      };
    case 'terminated':
      return { eventType: 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED', attributes: {} };
    case 'timedOut':
      return { eventType: 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT', attributes: { retryState } };
    case 'continuedAsNew':
      // A continued run never reports: the chain's last run does (childCloseReportOf).
      return invariantFailed('a continued-as-new run has no child close report');
  }
}

/** The parent's event for `report` about the started child `child`. */
export function childCloseEvent(
  child: ChildInfo,
  report: ChildCloseReport
): { eventType: LooseEventType; attributes: ProtoMessage } {
  const part = statusPart(report);
  return {
    eventType: part.eventType,
    attributes: {
      ...part.attributes,
      namespace: child.namespace,
      workflowExecution: { workflowId: child.workflowId, runId: report.runId },
      workflowType: { name: child.workflowType },
      initiatedEventId: String(child.initiatedEventId),
      startedEventId: String(child.startedEventId),
    },
  };
}

function invariantFailed(message: string): never {
  invariant(false, message);
  throw new Error(message);
}
