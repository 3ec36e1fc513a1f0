/**
 * `temporal.api.workflow.v1.WorkflowExecutionInfo` of a visibility row, as ListWorkflowExecutions returns it. The TS
 * client's `executionInfoFromRaw` reads execution, type, taskQueue, status, historyLength, startTime, executionTime,
 * closeTime, memo, searchAttributes, parentExecution and rootExecution, so each is set whenever the run has it.
 */
import { durationFromMs, timestampFromMs } from '../../actors/history/protoTime.js';
import type { VisibilityRow } from '../../actors/runStore/runValues.js';
import type { ProtoObject } from '../proto/protoCodec.js';
import { workflowExecutionStatusNames } from './describeWorkflowExecution.js';

/**
 * The info of `row`. `namespaceIdOf` resolves the parent's namespace name to the id `parentNamespaceId` carries
 * (undefined: the field is left out). A run without a parent is its own root (proto: `root_execution`); a child's
 * root is not recorded in the row, so it is left out.
 */
export function workflowExecutionInfoOf(
  row: VisibilityRow,
  namespaceIdOf: (namespace: string) => string | undefined = () => undefined
): ProtoObject {
  const execution = { workflowId: row.workflowId, runId: row.runId };
  const parent = row.parentExecution;
  const parentNamespaceId = parent === null ? undefined : namespaceIdOf(parent.namespace);
  return {
    execution,
    type: { name: row.workflowType },
    startTime: timestampFromMs(row.startTimeMs),
    executionTime: timestampFromMs(row.executionTimeMs),
    ...(row.closeTimeMs === null
      ? {}
      : {
          closeTime: timestampFromMs(row.closeTimeMs),
          executionDuration: durationFromMs(Math.max(0, row.closeTimeMs - row.executionTimeMs)),
        }),
    status: workflowExecutionStatusNames[row.status],
    historyLength: String(row.historyLength),
    taskQueue: row.taskQueue,
    ...(row.memo === null ? {} : { memo: { fields: row.memo } }),
    ...(row.searchAttributes === null ? {} : { searchAttributes: { indexedFields: row.searchAttributes } }),
    ...(parent === null
      ? { rootExecution: execution }
      : { parentExecution: { workflowId: parent.workflowId, runId: parent.runId } }),
    ...(parentNamespaceId === undefined ? {} : { parentNamespaceId }),
    firstRunId: row.firstRunId,
  };
}
