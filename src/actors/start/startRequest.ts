/**
 * StartWorkflowExecution as the engine evaluates it (TEMPORAL-API.md §2): the request's fields after the frontend
 * applied defaults (timeouts) and mapped protos, and the inputs the caller decides (run id, time, task ids).
 */
import type { ProtoMessage } from '../history/events.js';
import type { RunLineage, StartSignal } from '../workflowTask/startWorkflow.js';

/** `temporal.api.enums.v1.WorkflowIdReusePolicy` names; UNSPECIFIED means ALLOW_DUPLICATE. */
export type WorkflowIdReusePolicy =
  | 'WORKFLOW_ID_REUSE_POLICY_UNSPECIFIED'
  | 'WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE'
  | 'WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY'
  | 'WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE'
  | 'WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING';

/** `temporal.api.enums.v1.WorkflowIdConflictPolicy` names Cairn supports; UNSPECIFIED means FAIL. */
export type WorkflowIdConflictPolicy =
  | 'WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED'
  | 'WORKFLOW_ID_CONFLICT_POLICY_FAIL'
  | 'WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING';

/** The request. Timeouts are in ms with defaults already applied (0 = none; the WFT timeout must be > 0). */
export interface StartRequest {
  readonly namespace: string;
  readonly workflowId: string;
  readonly workflowType: string;
  readonly taskQueue: string;
  /** The client's idempotency key: a start retried with it returns the first run id. */
  readonly requestId: string;
  readonly identity: string;
  readonly workflowTaskTimeoutMs: number;
  readonly workflowRunTimeoutMs: number;
  readonly workflowExecutionTimeoutMs: number;
  readonly workflowIdReusePolicy?: WorkflowIdReusePolicy;
  readonly workflowIdConflictPolicy?: WorkflowIdConflictPolicy;
  readonly input?: ProtoMessage;
  readonly header?: ProtoMessage;
  readonly memo?: ProtoMessage;
  readonly searchAttributes?: ProtoMessage;
  readonly retryPolicy?: ProtoMessage;
  /** `workflowStartDelay`: the first workflow task waits this long; 0 = none. */
  readonly firstWorkflowTaskBackoffMs?: number;
  /** SignalWithStart: the signal written as event 2 of a new run. */
  readonly signal?: StartSignal;
  /** A child's parent link (set by the outbox, never by a client). */
  readonly lineage?: RunLineage;
}

/** What the caller decides: evaluation itself reads no clock and draws no ids. */
export interface StartInputs {
  /** The new run's id (a fresh UUID per call; re-evaluations of one call reuse it). */
  readonly runId: string;
  readonly nowMs: number;
  /** The shard's next unused taskId. */
  readonly taskIdFirst: number;
}

/** A request the engine refuses (INVALID_ARGUMENT); `field` names the offending request field. */
export class InvalidStartRequestError extends Error {
  constructor(
    readonly field: string,
    message: string
  ) {
    super(message);
    this.name = 'InvalidStartRequestError';
  }
}
