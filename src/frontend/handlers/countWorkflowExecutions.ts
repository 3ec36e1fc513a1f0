/**
 * WorkflowService/CountWorkflowExecutions (ARCHITECTURE.md §5, Visibility): how many of the namespace's runs match
 * `query`. With `GROUP BY ExecutionStatus` the answer also carries one group per status with a non-zero count
 * (`groupValues` is the status name as a `json/plain` Keyword payload, as Temporal sends it), and `count` is their sum.
 * The engine counts one filter at a time, so a grouped count asks once per status, each with the status added to
 * the filter; the groups are therefore not one snapshot (Temporal documents grouped counts as approximate too).
 */
import { executionStatusOfRunStatus } from '../../actors/visibility/matchVisibility.js';
import { requireEngine } from '../engine/requireEngine.js';
import { parseVisibilityQueryFor } from '../engine/visibilityScan.js';
import { NamespaceNotFoundError } from '../errors.js';
import type { ProtoObject } from '../proto/protoCodec.js';
import { requireNamespace } from '../validation/requestFields.js';
import type { CallContext } from './handlerTypes.js';

/** `{count}` (int64 as a decimal string), plus `groups` for `GROUP BY ExecutionStatus`. */
export async function countWorkflowExecutions(request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  const engine = requireEngine(call);
  const namespace = requireNamespace(request.namespace);
  if (call.services.namespaces.byName(namespace) === undefined) throw new NamespaceNotFoundError(namespace);
  const query = typeof request.query === 'string' ? request.query : '';
  const parsed = parseVisibilityQueryFor(query, 'count');
  if (!parsed.groupByExecutionStatus) {
    return { count: String(await engine.countWorkflowExecutions({ namespace, query })) };
  }
  const filter = filterOf(query);
  const statuses = Object.values(executionStatusOfRunStatus);
  const counts = await Promise.all(
    statuses.map((status) =>
      engine.countWorkflowExecutions({
        namespace,
        query: filter === '' ? `ExecutionStatus = '${status}'` : `(${filter}) AND ExecutionStatus = '${status}'`,
      })
    )
  );
  const groups = statuses
    .map((status, index) => ({ groupValues: [statusPayload(status)], count: String(counts[index]) }))
    .filter((group) => group.count !== '0');
  return { count: String(counts.reduce((sum, count) => sum + count, 0)), groups };
}

/**
 * The query without its trailing `GROUP BY ExecutionStatus` (the parse succeeded, so the last GROUP keyword outside
 * quotes starts the clause; quoted text never ends in `GROUP BY ExecutionStatus` followed only by blanks).
 */
function filterOf(query: string): string {
  const match = /\bGROUP\s+BY\s+`?ExecutionStatus`?\s*$/i.exec(query);
  return (match === null ? query : query.slice(0, match.index)).trim();
}

/** A status name as Temporal encodes a Keyword search attribute value: `json/plain` `"Running"`, type `Keyword`. */
function statusPayload(status: string): ProtoObject {
  return {
    metadata: { encoding: Buffer.from('json/plain', 'utf8'), type: Buffer.from('Keyword', 'utf8') },
    data: Buffer.from(JSON.stringify(status), 'utf8'),
  };
}
