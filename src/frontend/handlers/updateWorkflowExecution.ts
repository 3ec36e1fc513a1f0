/**
 * WorkflowService/UpdateWorkflowExecution and PollWorkflowExecutionUpdate (TEMPORAL-API.md §5.9): admit an update
 * (or find it by updateId) and answer `{updateRef, stage, outcome?}` once the asked lifecycle stage is reached, or
 * with the CURRENT stage when the wait ends: never `{}` (the client resends below ACCEPTED, §3).
 */
import { requireEngine } from '../engine/requireEngine.js';
import {
  UPDATE_STAGE_ACCEPTED,
  UPDATE_STAGE_ADMITTED,
  UPDATE_STAGE_COMPLETED,
  type UpdateStage,
  type UpdateStatus,
} from '../engine/workflowEngine.js';
import { InvalidArgumentError } from '../errors.js';
import type { ProtoObject } from '../proto/protoCodec.js';
import { checkPayloadsSize } from '../validation/payloadSize.js';
import { requireIdentifier } from '../validation/requestFields.js';
import type { CallContext } from './handlerTypes.js';
import { workflowExecutionRefOf } from './signalWorkflowExecution.js';

/** How long an update call waits for its stage before answering the current one (below the SDK's deadlines). */
export const UPDATE_WAIT_MS = 50_000;

const stageNames: Readonly<Record<UpdateStage, string>> = {
  1: 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED',
  2: 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED',
  3: 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED',
};

/** `waitPolicy.lifecycleStage` as a stage; unset means ACCEPTED (what the SDK's startUpdate waits for). */
function waitStageOf(waitPolicy: unknown): UpdateStage {
  const stage =
    typeof waitPolicy === 'object' && waitPolicy !== null
      ? (waitPolicy as { lifecycleStage?: unknown }).lifecycleStage
      : undefined;
  switch (stage) {
    case undefined:
    case null:
    case 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_UNSPECIFIED':
      return UPDATE_STAGE_ACCEPTED;
    case 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED':
      return UPDATE_STAGE_ADMITTED;
    case 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED':
      return UPDATE_STAGE_ACCEPTED;
    case 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED':
      return UPDATE_STAGE_COMPLETED;
    default:
      throw new InvalidArgumentError(
        `waitPolicy.lifecycleStage ${String(stage)} is not a stage: use ADMITTED, ACCEPTED or COMPLETED`
      );
  }
}

function responseOf(status: UpdateStatus): ProtoObject {
  return {
    updateRef: {
      workflowExecution: { workflowId: status.execution.workflowId, runId: status.execution.runId },
      updateId: status.updateId,
    },
    stage: stageNames[status.stage],
    ...(status.outcome === undefined ? {} : { outcome: status.outcome }),
  };
}

/** UpdateWorkflowExecution. */
export async function updateWorkflowExecution(request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  const engine = requireEngine(call);
  const execution = workflowExecutionRefOf(request, call);
  const update = request.request;
  if (update === undefined || update === null || typeof update !== 'object') {
    throw new InvalidArgumentError('request is required: set request.meta.updateId and request.input.name');
  }
  const { meta, input } = update as { meta?: { updateId?: unknown }; input?: { name?: unknown; args?: unknown } };
  requireIdentifier(meta?.updateId, 'request.meta.updateId');
  requireIdentifier(input?.name, 'request.input.name');
  checkPayloadsSize(input?.args as ProtoObject | undefined, 'request.input.args', call.logger);
  const status = await engine.updateWorkflow({
    execution,
    request: update as ProtoObject,
    waitStage: waitStageOf(request.waitPolicy),
    waitMs: UPDATE_WAIT_MS,
    signal: call.signal,
  });
  return responseOf(status);
}

/** PollWorkflowExecutionUpdate. */
export async function pollWorkflowExecutionUpdate(request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  const engine = requireEngine(call);
  const updateRef = request.updateRef;
  if (updateRef === undefined || updateRef === null || typeof updateRef !== 'object') {
    throw new InvalidArgumentError('updateRef is required: set updateRef.workflowExecution and updateRef.updateId');
  }
  const ref = updateRef as ProtoObject;
  const execution = workflowExecutionRefOf(
    { namespace: request.namespace, workflowExecution: ref.workflowExecution },
    call
  );
  const updateId = requireIdentifier(ref.updateId, 'updateRef.updateId');
  const status = await engine.pollWorkflowUpdate(
    execution,
    updateId,
    waitStageOf(request.waitPolicy),
    UPDATE_WAIT_MS,
    call.signal
  );
  return responseOf(status);
}
