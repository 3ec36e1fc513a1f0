/**
 * What a unary RPC handler receives and returns. Handlers are plain async functions of the decoded request; the
 * dispatcher (../dispatch.ts) decodes, catches and maps errors, so a handler only throws {@link FrontendError}s for
 * expected failures.
 */
import type * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { WorkflowEngine } from '../engine/workflowEngine.js';
import type { NamespaceRegistry } from '../namespaces/namespaceRegistry.js';
import type { ProtoObject } from '../proto/protoCodec.js';

/** Long-lived collaborators shared by every call. */
export interface FrontendServices {
  readonly namespaces: NamespaceRegistry;
  /** Reported by GetSystemInfo as `serverVersion`. */
  readonly serverVersion: string;
  /** The workflow engine; absent on a frontend-only server, whose engine RPCs answer UNIMPLEMENTED. */
  readonly engine?: WorkflowEngine;
}

/** Per-call information. */
export interface CallContext {
  /** `Service/Method`, e.g. `temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo`. */
  readonly rpcName: string;
  /** Request metadata (`temporal-namespace`, `client-name`, …): informational, the body is authoritative. */
  readonly metadata: grpc.Metadata;
  /** Aborted when the caller cancels or its deadline passes; long polls stop waiting on it. */
  readonly signal: AbortSignal;
  /** A child logger bound to the RPC. */
  readonly logger: Logger;
  readonly services: FrontendServices;
}

/** A unary RPC handler: the response in proto-loader shape, or a thrown FrontendError. */
export type UnaryHandler = (request: ProtoObject, call: CallContext) => Promise<ProtoObject>;
