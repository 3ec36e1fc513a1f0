/**
 * WorkflowService/RespondWorkflowTaskFailed (TEMPORAL-API.md §5.3): fails the started task its token names and
 * schedules the retry (committed). Token errors answer as for RespondWorkflowTaskCompleted.
 */
import type { ProtoMessage, WorkflowTaskFailedCause } from '../../actors/history/events.js';
import { failWorkflowTask } from '../../actors/workflowTask/failWorkflowTask.js';
import { requireEngine } from '../engine/requireEngine.js';
import { NamespaceNotFoundError } from '../errors.js';
import type { ProtoObject } from '../proto/protoCodec.js';
import { optionalIdentifier, requireNamespace } from '../validation/requestFields.js';
import type { CallContext } from './handlerTypes.js';
import { requireTaskToken } from './respondWorkflowTaskCompleted.js';

const CAUSE_PREFIX = 'WORKFLOW_TASK_FAILED_CAUSE_';

/** `{}` once the failure is committed. */
export async function respondWorkflowTaskFailed(request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  const engine = requireEngine(call);
  const namespace = requireNamespace(request.namespace);
  if (call.services.namespaces.byName(namespace) === undefined) throw new NamespaceNotFoundError(namespace);
  const taskToken = requireTaskToken(request.taskToken);
  const identity = optionalIdentifier(request.identity, 'identity');
  const rawCause = typeof request.cause === 'string' ? request.cause : '';
  const cause: WorkflowTaskFailedCause = rawCause.startsWith(CAUSE_PREFIX)
    ? (rawCause as WorkflowTaskFailedCause)
    : `${CAUSE_PREFIX}UNSPECIFIED`;
  const failure =
    typeof request.failure === 'object' && request.failure !== null ? (request.failure as ProtoMessage) : undefined;
  const binaryChecksum =
    typeof request.binaryChecksum === 'string' && request.binaryChecksum !== '' ? request.binaryChecksum : undefined;
  await engine.respondToWorkflowTask(namespace, taskToken, (state, token, context) =>
    failWorkflowTask(
      state,
      {
        task: token,
        cause,
        identity,
        ...(failure === undefined ? {} : { failure }),
        ...(binaryChecksum === undefined ? {} : { binaryChecksum }),
      },
      context
    )
  );
  return {};
}
