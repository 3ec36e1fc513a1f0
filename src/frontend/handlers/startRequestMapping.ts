/**
 * The mapping of a start-shaped request (StartWorkflowExecution, SignalWithStartWorkflowExecution) onto the engine's
 * {@link StartRequest}, with Temporal's timeout defaults (TEMPORAL-API.md §10), and of the engine's
 * {@link StartResult} back onto `{runId, started}` or the typed errors of §9. Also the small readers of message and
 * Duration fields the other request mappings share.
 */
import type { ProtoMessage } from '../../actors/history/events.js';
import type { StartResult } from '../../actors/start/startWorkflowOnShard.js';
import type { StartRequest, WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '../../actors/start/startRequest.js';
import { InvalidArgumentError, WorkflowExecutionAlreadyStartedError } from '../errors.js';
import type { ProtoObject } from '../proto/protoCodec.js';
import { checkPayloadsSize } from '../validation/payloadSize.js';
import { optionalIdentifier, requireIdentifier, requireWorkflowId } from '../validation/requestFields.js';
import type { CallContext } from './handlerTypes.js';

/** Temporal's default workflow task timeout (TEMPORAL-API.md §10). */
export const WORKFLOW_TASK_TIMEOUT_DEFAULT_MS = 10_000;
/** Temporal's largest workflow task timeout: larger values are clamped to it, as Temporal does. */
export const WORKFLOW_TASK_TIMEOUT_MAX_MS = 120_000;

const reusePolicies: ReadonlySet<string> = new Set<WorkflowIdReusePolicy>([
  'WORKFLOW_ID_REUSE_POLICY_UNSPECIFIED',
  'WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE',
  'WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY',
  'WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE',
  'WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING',
]);
const conflictPolicies: ReadonlySet<string> = new Set<WorkflowIdConflictPolicy>([
  'WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED',
  'WORKFLOW_ID_CONFLICT_POLICY_FAIL',
  'WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING',
]);

/**
 * The engine's start request for `request` (whose namespace is already checked). `requestIdDefault` is used when the
 * request has no requestId; without it a missing requestId is INVALID_ARGUMENT.
 */
export function startRequestOf(
  request: ProtoObject,
  namespace: string,
  call: CallContext,
  requestIdDefault?: string
): StartRequest {
  refuseUnsupported(request);
  checkPayloadsSize(request.input, 'input', call.logger);
  const wftTimeoutMs = optionalDurationMs(request.workflowTaskTimeout, 'workflowTaskTimeout');
  const requestId =
    requestIdDefault !== undefined && (request.requestId === undefined || request.requestId === '')
      ? requestIdDefault
      : requireIdentifier(request.requestId, 'requestId');
  return {
    namespace,
    workflowId: requireWorkflowId(request.workflowId),
    workflowType: requireIdentifier(messageField(request.workflowType, 'name'), 'workflowType.name'),
    taskQueue: requireIdentifier(messageField(request.taskQueue, 'name'), 'taskQueue.name'),
    requestId,
    identity: optionalIdentifier(request.identity, 'identity'),
    workflowTaskTimeoutMs:
      wftTimeoutMs === 0 ? WORKFLOW_TASK_TIMEOUT_DEFAULT_MS : Math.min(wftTimeoutMs, WORKFLOW_TASK_TIMEOUT_MAX_MS),
    workflowRunTimeoutMs: optionalDurationMs(request.workflowRunTimeout, 'workflowRunTimeout'),
    workflowExecutionTimeoutMs: optionalDurationMs(request.workflowExecutionTimeout, 'workflowExecutionTimeout'),
    workflowIdReusePolicy: enumField(request.workflowIdReusePolicy, 'workflowIdReusePolicy', reusePolicies),
    workflowIdConflictPolicy: enumField(request.workflowIdConflictPolicy, 'workflowIdConflictPolicy', conflictPolicies),
    // A start delay is the first workflow task's backoff (Temporal: firstWorkflowTaskBackoff on the Started event).
    firstWorkflowTaskBackoffMs: optionalDurationMs(request.workflowStartDelay, 'workflowStartDelay'),
    ...presentMessages(request),
  };
}

/** Features Cairn does not run: refused up front rather than silently ignored. */
function refuseUnsupported(request: ProtoObject): void {
  if (typeof request.cronSchedule === 'string' && request.cronSchedule !== '') {
    throw new InvalidArgumentError('cronSchedule is not supported by Cairn: start the workflow without a schedule');
  }
}

/** `message[field]` when `message` is an object, else undefined. */
export function messageField(message: unknown, field: string): unknown {
  return message !== null && typeof message === 'object' ? (message as Record<string, unknown>)[field] : undefined;
}

/** A present sub-message (Payloads, Header, Failure, …), or undefined when unset; a non-object is INVALID_ARGUMENT. */
export function optionalMessage(value: unknown, field: string): ProtoMessage | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value) || Buffer.isBuffer(value)) {
    throw new InvalidArgumentError(`${field} must be a message`);
  }
  return value as ProtoMessage;
}

function enumField<T extends string>(value: unknown, field: string, allowed: ReadonlySet<string>): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !allowed.has(value)) {
    throw new InvalidArgumentError(`${field} ${String(value)} is not supported: use one of ${[...allowed].join(', ')}`);
  }
  return value as T;
}

type PresentMessages = Pick<StartRequest, 'input' | 'header' | 'memo' | 'searchAttributes' | 'retryPolicy'>;

/** The pass-through messages the request carries, without keys for absent ones. */
function presentMessages(request: ProtoObject): PresentMessages {
  const present: Record<string, ProtoMessage> = {};
  for (const field of ['input', 'header', 'memo', 'searchAttributes', 'retryPolicy'] as const) {
    const value = request[field];
    if (value !== undefined && value !== null && typeof value === 'object') present[field] = value as ProtoMessage;
  }
  return present;
}

/** `{runId, started}` for a started or existing run; the typed error for a refused start. */
export function startResponse(result: StartResult, request: StartRequest): ProtoObject {
  switch (result.kind) {
    case 'started':
      return { runId: result.runId, started: !result.deduplicated };
    case 'useExisting':
      return { runId: result.runId, started: false };
    case 'alreadyStarted':
      throw new WorkflowExecutionAlreadyStartedError(
        `Workflow execution is already running. WorkflowId: ${request.workflowId}, RunId: ${result.runId}.`,
        result.startRequestId,
        result.runId
      );
    case 'invalid':
      throw new InvalidArgumentError(`${result.error.field}: ${result.error.message}`);
  }
}

/** The duration in whole ms; unset gives 0 (Temporal's "none"). Negative or huge values are INVALID_ARGUMENT. */
export function optionalDurationMs(value: unknown, field: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'object') throw new InvalidArgumentError(`${field} must be a duration`);
  const { seconds, nanos } = value as { seconds?: unknown; nanos?: unknown };
  const secondsNumber = seconds === undefined ? 0 : Number(seconds);
  const nanosNumber = nanos === undefined ? 0 : Number(nanos);
  const ms = secondsNumber * 1000 + Math.floor(nanosNumber / 1_000_000);
  if (!Number.isSafeInteger(ms) || secondsNumber < 0 || nanosNumber < 0) {
    throw new InvalidArgumentError(
      `${field} must be a non-negative duration, got ${String(seconds)}s ${String(nanos)}ns`
    );
  }
  return ms;
}
