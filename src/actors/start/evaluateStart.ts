/**
 * Pure evaluation of StartWorkflowExecution (TEMPORAL-API.md §2, §5.1, §9) against the workflow id's current run:
 * request-id idempotency, the id reuse policy for a closed current run, the conflict policy for a running one.
 * A start yields one ShardCommand: the pointer (precondition: its version as read), the new run's mutable state,
 * events 1–2 and visibility row, and, under TERMINATE_IF_RUNNING, the terminated old run.
 */
import { InvalidDurationError } from '../activities/durations.js';
import { InvalidRetryPolicyError } from '../activities/retryPolicy.js';
import { workflowRetryPolicyOf } from '../workflowTask/retryWorkflow.js';
import { createHash } from 'node:crypto';
import type { ShardCommand } from '../../shard/apply/shardCommand.js';
import type { MutableState, RunStatus } from '../mutableState/mutableState.js';
import type { Versioned } from '../runStore/runStore.js';
import { currentRunWrites, mergeRunWrites, runUpdateWrites, taskIdMarkWrites } from '../runStore/runStore.js';
import type { CurrentRunPointer } from '../runStore/runValues.js';
import { encodeRunValue } from '../runStore/runValues.js';
import { InvalidTransitionInputError } from '../workflowTask/errors.js';
import { startWorkflow } from '../workflowTask/startWorkflow.js';
import { serverIdentity, terminateWorkflow } from '../workflowTask/terminateWorkflow.js';
import type { Effect, TransitionResult } from '../workflowTask/transition.js';
import { InvalidStartRequestError } from './startRequest.js';
import type { StartInputs, StartRequest } from './startRequest.js';

/** Temporal's limit on ids and names (TEMPORAL-API.md §10), in UTF-8 bytes as Go's `len` counts. */
export const ID_BYTES_MAX = 1000;
/** The reason written on a run terminated by TERMINATE_IF_RUNNING (Temporal's wording). */
export const TERMINATE_IF_RUNNING_REASON = 'TerminateIfRunning WorkflowIdReusePolicy Policy';

/** The workflow id's state as read: its current-run pointer and that run's mutable state (both with versions). */
export interface StartReadState {
  readonly pointer: Versioned<CurrentRunPointer> | null;
  readonly current: Versioned<MutableState> | null;
}

/** What the start outcome bytes (stored by the shard for dedup) hold. */
export interface StartOutcome {
  readonly formatVersion: 1;
  readonly runId: string;
}

export type StartEvaluation =
  | {
      readonly kind: 'start';
      readonly command: ShardCommand;
      readonly runId: string;
      readonly taskIdNext: number;
      /** What the leader performs once the command applied (the first task's dispatch; the old run's close). */
      readonly effects: readonly Effect[];
    }
  /** The current run was started by this very requestId: answer with it (a retried start). */
  | { readonly kind: 'duplicate'; readonly runId: string }
  | { readonly kind: 'alreadyStarted'; readonly runId: string; readonly startRequestId: string }
  | { readonly kind: 'useExisting'; readonly runId: string }
  | { readonly kind: 'invalid'; readonly error: InvalidStartRequestError };

const utf8 = new TextEncoder();
const failedStatuses: ReadonlySet<RunStatus> = new Set(['failed', 'canceled', 'terminated', 'timedOut']);

/** The shard dedup id of a start: scoped to (namespace, workflowId) and hashed to fit the 512-byte bound. */
export function startDedupId(request: Pick<StartRequest, 'namespace' | 'workflowId' | 'requestId'>): string {
  const scope = JSON.stringify([request.namespace, request.workflowId, request.requestId]);
  return `start:${createHash('sha256').update(scope).digest('hex')}`;
}

/** The refusal of a malformed request, or null. */
export function validateStartRequest(request: StartRequest): InvalidStartRequestError | null {
  const required: [string, string][] = [
    ['workflowId', request.workflowId],
    ['workflowType', request.workflowType],
    ['taskQueue', request.taskQueue],
    ['requestId', request.requestId],
  ];
  for (const [field, value] of required) {
    if (value === '') return new InvalidStartRequestError(field, `${field} is required: set a non-empty ${field}`);
    const bytes = utf8.encode(value).length;
    if (bytes > ID_BYTES_MAX) {
      return new InvalidStartRequestError(field, `${field} is ${bytes} bytes long, at most ${ID_BYTES_MAX} allowed`);
    }
  }
  const reuse = request.workflowIdReusePolicy ?? 'WORKFLOW_ID_REUSE_POLICY_UNSPECIFIED';
  if (reuse === 'WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING' && conflictPolicyOf(request) === 'useExisting') {
    return new InvalidStartRequestError(
      'workflowIdConflictPolicy',
      'workflowIdConflictPolicy USE_EXISTING cannot be combined with workflowIdReusePolicy TERMINATE_IF_RUNNING'
    );
  }
  return retryPolicyProblem(request);
}

/** A retry policy that would not parse when the run fails is refused now, with the field that is wrong. */
function retryPolicyProblem(request: StartRequest): InvalidStartRequestError | null {
  try {
    workflowRetryPolicyOf(request.retryPolicy);
    return null;
  } catch (error) {
    if (error instanceof InvalidRetryPolicyError || error instanceof InvalidDurationError) {
      return new InvalidStartRequestError(error.field, error.message);
    }
    throw error;
  }
}

function conflictPolicyOf(request: StartRequest): 'fail' | 'useExisting' {
  return request.workflowIdConflictPolicy === 'WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING' ? 'useExisting' : 'fail';
}

/** What to do given the current run: start (terminating it first, or not), or answer without writing. */
function decide(
  request: StartRequest,
  pointer: CurrentRunPointer,
  current: MutableState
): StartEvaluation | 'start' | 'terminateAndStart' {
  const alreadyStarted: StartEvaluation = {
    kind: 'alreadyStarted',
    runId: pointer.runId,
    startRequestId: pointer.startRequestId,
  };
  const reuse = request.workflowIdReusePolicy ?? 'WORKFLOW_ID_REUSE_POLICY_UNSPECIFIED';
  if (current.status === 'running') {
    if (reuse === 'WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING') return 'terminateAndStart';
    if (conflictPolicyOf(request) === 'useExisting') return { kind: 'useExisting', runId: pointer.runId };
    return alreadyStarted;
  }
  if (reuse === 'WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE') return alreadyStarted;
  if (reuse === 'WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY' && !failedStatuses.has(current.status)) {
    return alreadyStarted;
  }
  return 'start';
}

/** The new run's transition; a timeout the transition refuses becomes the request's validation error. */
function startTransition(request: StartRequest, inputs: StartInputs, taskIdFirst: number): TransitionResult {
  return startWorkflow(
    {
      executionInfo: {
        namespace: request.namespace,
        workflowId: request.workflowId,
        runId: inputs.runId,
        workflowType: request.workflowType,
        taskQueue: request.taskQueue,
        workflowTaskTimeoutMs: request.workflowTaskTimeoutMs,
        workflowRunTimeoutMs: request.workflowRunTimeoutMs,
        workflowExecutionTimeoutMs: request.workflowExecutionTimeoutMs,
        startTimeMs: inputs.nowMs,
      },
      identity: request.identity,
      ...optionalPayloads(request),
    },
    { nowMs: inputs.nowMs, taskIdFirst }
  );
}

type OptionalPayloads = Pick<
  StartRequest,
  'input' | 'header' | 'memo' | 'searchAttributes' | 'retryPolicy' | 'signal' | 'lineage' | 'firstWorkflowTaskBackoffMs'
>;

/** The optional parts the request carries, without keys for absent ones (stored values must not hold undefined). */
function optionalPayloads(request: StartRequest): OptionalPayloads {
  const { input, header, memo, searchAttributes, retryPolicy, signal, lineage, firstWorkflowTaskBackoffMs } = request;
  const parts = { input, header, memo, searchAttributes, retryPolicy, signal, lineage, firstWorkflowTaskBackoffMs };
  return Object.fromEntries(Object.entries(parts).filter(([, value]) => value !== undefined));
}

/** Builds the start command: old run terminated (if asked), new run written, pointer moved. */
function startCommand(
  request: StartRequest,
  inputs: StartInputs,
  read: StartReadState,
  terminate: boolean
): StartEvaluation {
  const parts = [];
  const effects: Effect[] = [];
  let taskIdFirst = inputs.taskIdFirst;
  if (terminate && read.current !== null) {
    const context = { nowMs: inputs.nowMs, taskIdFirst };
    const terminated = terminateWorkflow(
      read.current.value,
      { reason: TERMINATE_IF_RUNNING_REASON, identity: serverIdentity },
      context
    );
    parts.push(runUpdateWrites(terminated.state, terminated.events, read.current.version));
    effects.push(...terminated.effects);
    taskIdFirst = terminated.taskIdNext;
  }
  let started: TransitionResult;
  try {
    started = startTransition(request, inputs, taskIdFirst);
  } catch (error) {
    if (!(error instanceof InvalidTransitionInputError)) throw error;
    return { kind: 'invalid', error: new InvalidStartRequestError('workflowTimeouts', error.message) };
  }
  parts.push(runUpdateWrites(started.state, started.events, null));
  effects.push(...started.effects);
  const pointer: CurrentRunPointer = { formatVersion: 1, runId: inputs.runId, startRequestId: request.requestId };
  parts.push(currentRunWrites(request.namespace, request.workflowId, pointer, read.pointer?.version ?? null));
  parts.push(taskIdMarkWrites(started.taskIdNext - 1));
  const { writes, preconditions } = mergeRunWrites(...parts);
  const outcome: StartOutcome = { formatVersion: 1, runId: inputs.runId };
  const command: ShardCommand = {
    formatVersion: 1,
    requestId: startDedupId(request),
    preconditions,
    writes,
    outcome: encodeRunValue(outcome),
    actions: [],
  };
  return { kind: 'start', command, runId: inputs.runId, taskIdNext: started.taskIdNext, effects };
}

/** Evaluates `request` against `read` (the state as read at one point, versions included). */
export function evaluateStart(request: StartRequest, read: StartReadState, inputs: StartInputs): StartEvaluation {
  const invalid = validateStartRequest(request);
  if (invalid !== null) return { kind: 'invalid', error: invalid };
  if (read.pointer === null) return startCommand(request, inputs, read, false);
  const pointer = read.pointer.value;
  if (pointer.startRequestId === request.requestId) return { kind: 'duplicate', runId: pointer.runId };
  const current = read.current;
  if (current === null) return startCommand(request, inputs, read, false); // the old run was deleted (retention)
  const decision = decide(request, pointer, current.value);
  if (decision === 'start' || decision === 'terminateAndStart') {
    return startCommand(request, inputs, read, decision === 'terminateAndStart');
  }
  return decision;
}
