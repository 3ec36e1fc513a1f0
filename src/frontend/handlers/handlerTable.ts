/**
 * The handler table: `Service/Method` → handler, one file per RPC in this folder. Every RPC missing here answers
 * UNIMPLEMENTED naming the RPC (../dispatch.ts), never `{}` (TEMPORAL-API.md §3).
 */
import { healthServiceName, workflowServiceName } from '../proto/serviceDefinitions.js';
import { describeNamespace } from './describeNamespace.js';
import { getSystemInfo } from './getSystemInfo.js';
import type { UnaryHandler } from './handlerTypes.js';
import { healthCheck } from './healthCheck.js';
import { listNamespaces } from './listNamespaces.js';

/** A read-only map from `Service/Method` to its handler. */
export type HandlerTable = ReadonlyMap<string, UnaryHandler>;

/** The RPCs Cairn serves today. */
export function defaultHandlerTable(): HandlerTable {
  return new Map<string, UnaryHandler>([
    [`${workflowServiceName}/GetSystemInfo`, getSystemInfo],
    [`${workflowServiceName}/DescribeNamespace`, describeNamespace],
    [`${workflowServiceName}/ListNamespaces`, listNamespaces],
    [`${healthServiceName}/Check`, healthCheck],
  ]);
}
