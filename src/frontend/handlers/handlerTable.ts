/**
 * The handler table: `Service/Method` → handler, one file per RPC in this folder. Every RPC missing here answers
 * UNIMPLEMENTED naming the RPC (../dispatch.ts), never `{}` (TEMPORAL-API.md §3).
 */
import { healthServiceName, workflowServiceName } from '../proto/serviceDefinitions.js';
import {
  recordActivityTaskHeartbeatById,
  respondActivityTaskCanceledById,
  respondActivityTaskCompletedById,
  respondActivityTaskFailedById,
} from './activityById.js';
import { describeNamespace } from './describeNamespace.js';
import { describeWorkflowExecution } from './describeWorkflowExecution.js';
import { getSystemInfo } from './getSystemInfo.js';
import { getWorkflowExecutionHistory } from './getWorkflowExecutionHistory.js';
import type { UnaryHandler } from './handlerTypes.js';
import { healthCheck } from './healthCheck.js';
import { countWorkflowExecutions } from './countWorkflowExecutions.js';
import { listWorkflowExecutions } from './listWorkflowExecutions.js';
import { pollWorkflowExecutionUpdate, updateWorkflowExecution } from './updateWorkflowExecution.js';
import { listNamespaces } from './listNamespaces.js';
import { pollActivityTaskQueue } from './pollActivityTaskQueue.js';
import { pollWorkflowTaskQueue } from './pollWorkflowTaskQueue.js';
import { queryWorkflow } from './queryWorkflow.js';
import { recordActivityTaskHeartbeat } from './recordActivityTaskHeartbeat.js';
import { requestCancelWorkflowExecution } from './requestCancelWorkflowExecution.js';
import { resetStickyTaskQueue } from './resetStickyTaskQueue.js';
import { respondActivityTaskCanceled } from './respondActivityTaskCanceled.js';
import { respondActivityTaskCompleted } from './respondActivityTaskCompleted.js';
import { respondActivityTaskFailed } from './respondActivityTaskFailed.js';
import { respondQueryTaskCompleted } from './respondQueryTaskCompleted.js';
import { respondWorkflowTaskCompleted } from './respondWorkflowTaskCompleted.js';
import { respondWorkflowTaskFailed } from './respondWorkflowTaskFailed.js';
import { shutdownWorker } from './shutdownWorker.js';
import { signalWithStartWorkflowExecution } from './signalWithStartWorkflowExecution.js';
import { signalWorkflowExecution } from './signalWorkflowExecution.js';
import { startWorkflowExecution } from './startWorkflowExecution.js';
import { terminateWorkflowExecution } from './terminateWorkflowExecution.js';

/** A read-only map from `Service/Method` to its handler. */
export type HandlerTable = ReadonlyMap<string, UnaryHandler>;

/** The RPCs a frontend serves without a workflow engine. */
export function defaultHandlerTable(): HandlerTable {
  return new Map<string, UnaryHandler>([
    [`${workflowServiceName}/GetSystemInfo`, getSystemInfo],
    [`${workflowServiceName}/DescribeNamespace`, describeNamespace],
    [`${workflowServiceName}/ListNamespaces`, listNamespaces],
    [`${healthServiceName}/Check`, healthCheck],
  ]);
}

/** The RPCs served through the workflow engine (services.engine). */
export function engineHandlerTable(): HandlerTable {
  return new Map<string, UnaryHandler>([
    [`${workflowServiceName}/StartWorkflowExecution`, startWorkflowExecution],
    [`${workflowServiceName}/DescribeWorkflowExecution`, describeWorkflowExecution],
    [`${workflowServiceName}/GetWorkflowExecutionHistory`, getWorkflowExecutionHistory],
    [`${workflowServiceName}/PollWorkflowTaskQueue`, pollWorkflowTaskQueue],
    [`${workflowServiceName}/RespondWorkflowTaskCompleted`, respondWorkflowTaskCompleted],
    [`${workflowServiceName}/RespondWorkflowTaskFailed`, respondWorkflowTaskFailed],
    [`${workflowServiceName}/ShutdownWorker`, shutdownWorker],
    [`${workflowServiceName}/PollActivityTaskQueue`, pollActivityTaskQueue],
    [`${workflowServiceName}/RespondActivityTaskCompleted`, respondActivityTaskCompleted],
    [`${workflowServiceName}/RespondActivityTaskCompletedById`, respondActivityTaskCompletedById],
    [`${workflowServiceName}/RespondActivityTaskFailed`, respondActivityTaskFailed],
    [`${workflowServiceName}/RespondActivityTaskFailedById`, respondActivityTaskFailedById],
    [`${workflowServiceName}/RespondActivityTaskCanceled`, respondActivityTaskCanceled],
    [`${workflowServiceName}/RespondActivityTaskCanceledById`, respondActivityTaskCanceledById],
    [`${workflowServiceName}/RecordActivityTaskHeartbeat`, recordActivityTaskHeartbeat],
    [`${workflowServiceName}/RecordActivityTaskHeartbeatById`, recordActivityTaskHeartbeatById],
    [`${workflowServiceName}/SignalWorkflowExecution`, signalWorkflowExecution],
    [`${workflowServiceName}/SignalWithStartWorkflowExecution`, signalWithStartWorkflowExecution],
    [`${workflowServiceName}/RequestCancelWorkflowExecution`, requestCancelWorkflowExecution],
    [`${workflowServiceName}/TerminateWorkflowExecution`, terminateWorkflowExecution],
    [`${workflowServiceName}/QueryWorkflow`, queryWorkflow],
    [`${workflowServiceName}/UpdateWorkflowExecution`, updateWorkflowExecution],
    [`${workflowServiceName}/PollWorkflowExecutionUpdate`, pollWorkflowExecutionUpdate],
    [`${workflowServiceName}/ListWorkflowExecutions`, listWorkflowExecutions],
    [`${workflowServiceName}/CountWorkflowExecutions`, countWorkflowExecutions],
    [`${workflowServiceName}/RespondQueryTaskCompleted`, respondQueryTaskCompleted],
    [`${workflowServiceName}/ResetStickyTaskQueue`, resetStickyTaskQueue],
  ]);
}

/** What a server serves: the default RPCs, plus the engine's when it has one (else those answer UNIMPLEMENTED). */
export function servedHandlerTable(withEngine: boolean): HandlerTable {
  return withEngine ? new Map([...defaultHandlerTable(), ...engineHandlerTable()]) : defaultHandlerTable();
}
