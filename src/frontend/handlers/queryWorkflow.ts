/**
 * WorkflowService/QueryWorkflow (TEMPORAL-API.md §5.8): runs a query through a workflow worker (a legacy query task)
 * and waits for its answer, at most {@link QUERY_WAIT_MS_DEFAULT} or until the caller's deadline aborts the call.
 *
 * Answers: the worker's result → `{queryResult}`; the worker failed it → INVALID_ARGUMENT with `QueryFailedFailure`
 * (the TS client raises QueryNotRegisteredError); `queryRejectCondition` matched → `{queryRejected{status}}`.
 */
import { requireEngine } from '../engine/requireEngine.js';
import type { QueryOutcome } from '../engine/workflowEngine.js';
import { InvalidArgumentError, QueryFailedError } from '../errors.js';
import type { ProtoObject } from '../proto/protoCodec.js';
import { checkPayloadsSize } from '../validation/payloadSize.js';
import { requireIdentifier } from '../validation/requestFields.js';
import { executionRefOf, workflowExecutionStatusNames } from './describeWorkflowExecution.js';
import type { CallContext } from './handlerTypes.js';
import { optionalMessage } from './startRequestMapping.js';

/** How long a query waits for the worker's answer: the SDK core's 30 s deadline for non-poll calls (§10). */
export const QUERY_WAIT_MS_DEFAULT = 30_000;

const rejectConditions: ReadonlySet<string> = new Set([
  'QUERY_REJECT_CONDITION_UNSPECIFIED',
  'QUERY_REJECT_CONDITION_NONE',
  'QUERY_REJECT_CONDITION_NOT_OPEN',
  'QUERY_REJECT_CONDITION_NOT_COMPLETED_CLEANLY',
]);

const statusPrefix = 'WORKFLOW_EXECUTION_STATUS_';

/** `{queryResult}`, `{queryRejected}`, or the errors described above. */
export async function queryWorkflow(request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  const engine = requireEngine(call);
  const execution = executionRefOf(request, call);
  const query = queryOf(request.query, call);
  const rejectCondition = request.queryRejectCondition ?? '';
  if (rejectCondition !== '' && (typeof rejectCondition !== 'string' || !rejectConditions.has(rejectCondition))) {
    throw new InvalidArgumentError(
      `queryRejectCondition ${String(rejectCondition)} is not supported: use one of ${[...rejectConditions].join(', ')}`
    );
  }
  const outcome = await engine.queryWorkflow({
    execution,
    query,
    rejectCondition,
    waitMs: QUERY_WAIT_MS_DEFAULT,
    signal: call.signal,
  });
  return queryResponseOf(outcome);
}

/** The request's `query{queryType (required), queryArgs, header}`. */
function queryOf(value: unknown, call: CallContext): ProtoObject {
  const query = optionalMessage(value, 'query');
  if (query === undefined) throw new InvalidArgumentError('query is required: set query.queryType');
  const queryType = requireIdentifier(query.queryType, 'query.queryType');
  const queryArgs = optionalMessage(query.queryArgs, 'query.queryArgs');
  checkPayloadsSize(queryArgs, 'query.queryArgs', call.logger);
  const header = optionalMessage(query.header, 'query.header');
  return {
    queryType,
    ...(queryArgs === undefined ? {} : { queryArgs }),
    ...(header === undefined ? {} : { header }),
  };
}

function queryResponseOf(outcome: QueryOutcome): ProtoObject {
  switch (outcome.kind) {
    case 'answered':
      return outcome.result === undefined ? {} : { queryResult: outcome.result };
    case 'failed':
      throw new QueryFailedError(outcome.errorMessage, outcome.failure);
    case 'rejected':
      return { queryRejected: { status: statusNameOf(outcome.status) } };
  }
}

/** The `WorkflowExecutionStatus` enum name of a status the engine reports as a run status or as the enum name. */
function statusNameOf(status: string): string {
  if (status.startsWith(statusPrefix)) return status;
  const name = (workflowExecutionStatusNames as Readonly<Record<string, string>>)[status];
  return name ?? `${statusPrefix}UNSPECIFIED`;
}
