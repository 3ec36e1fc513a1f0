/**
 * Typed errors of the frontend and their gRPC mapping (TEMPORAL-API.md §9).
 *
 * Every error a handler means to return is a {@link FrontendError}: a gRPC status code, a message that says what is
 * wrong and what to do, and the `google.rpc.Status` details Temporal attaches. Details are always sent in
 * `grpc-status-details-bin`, because Go's `serviceerror.FromStatus` builds its typed errors from them (an
 * ALREADY_EXISTS without its detail is a plain AlreadyExists there).
 *
 * No class maps to INTERNAL: Cairn advertises `internalErrorDifferentiation`, so clients stop retrying INTERNAL, and
 * retryable situations (not leader, overload) must use UNAVAILABLE or RESOURCE_EXHAUSTED. INTERNAL is reserved for
 * unexpected exceptions, which the dispatcher logs.
 */
import * as grpc from '@grpc/grpc-js';
import { encodeRpcStatus, packAny, type AnyMessage } from './proto/anyCodec.js';
import type { ProtoObject } from './proto/protoCodec.js';

/** The trailer carrying an encoded `google.rpc.Status` with typed details. */
export const statusDetailsTrailer = 'grpc-status-details-bin';

const errorDetails = 'temporal.api.errordetails.v1.';

/** Base class: an expected failure answered with `code` and `details`. */
export abstract class FrontendError extends Error {
  abstract readonly code: grpc.status;
  /** Packed `temporal.api.errordetails.v1.*` messages; empty when Temporal sends none. */
  readonly details: readonly AnyMessage[];

  constructor(message: string, details: readonly AnyMessage[] = []) {
    super(message);
    this.details = details;
  }
}

/** NOT_FOUND: an unknown or closed run, a stale task token. Detail `NotFoundFailure`, as Temporal sends. */
export class NotFoundError extends FrontendError {
  override readonly name = 'NotFoundError';
  readonly code = grpc.status.NOT_FOUND;
  constructor(message: string) {
    super(message, [packAny(`${errorDetails}NotFoundFailure`, {})]);
  }
}

/** NOT_FOUND with `NamespaceNotFoundFailure`: the TS SDK raises `NamespaceNotFoundError`. */
export class NamespaceNotFoundError extends FrontendError {
  override readonly name = 'NamespaceNotFoundError';
  readonly code = grpc.status.NOT_FOUND;
  constructor(readonly namespace: string) {
    super(`Namespace ${namespace} is not found.`, [packAny(`${errorDetails}NamespaceNotFoundFailure`, { namespace })]);
  }
}

/** ALREADY_EXISTS with `WorkflowExecutionAlreadyStartedFailure`: a start while the workflow id is running. */
export class WorkflowExecutionAlreadyStartedError extends FrontendError {
  override readonly name = 'WorkflowExecutionAlreadyStartedError';
  readonly code = grpc.status.ALREADY_EXISTS;
  constructor(
    message: string,
    readonly startRequestId: string,
    readonly runId: string
  ) {
    super(message, [packAny(`${errorDetails}WorkflowExecutionAlreadyStartedFailure`, { startRequestId, runId })]);
  }
}

/** INVALID_ARGUMENT: a request field is missing or out of range. The message names the field. */
export class InvalidArgumentError extends FrontendError {
  override readonly name = 'InvalidArgumentError';
  readonly code = grpc.status.INVALID_ARGUMENT;
}

/**
 * INVALID_ARGUMENT with `QueryFailedFailure{failure}`: the worker failed the query (or does not know its type). The TS
 * client raises `QueryNotRegisteredError` for any INVALID_ARGUMENT; Go builds `QueryFailedError` from the detail.
 */
export class QueryFailedError extends FrontendError {
  override readonly name = 'QueryFailedError';
  readonly code = grpc.status.INVALID_ARGUMENT;
  constructor(message: string, failure?: ProtoObject) {
    super(message, [packAny(`${errorDetails}QueryFailedFailure`, failure === undefined ? {} : { failure })]);
  }
}

/** FAILED_PRECONDITION: the request is valid but the system is not in a state to run it. */
export class FailedPreconditionError extends FrontendError {
  override readonly name = 'FailedPreconditionError';
  readonly code = grpc.status.FAILED_PRECONDITION;
}

/** The `temporal.api.enums.v1.ResourceExhaustedCause` names Cairn uses. */
export type ResourceExhaustedCause =
  | 'RESOURCE_EXHAUSTED_CAUSE_RPS_LIMIT'
  | 'RESOURCE_EXHAUSTED_CAUSE_CONCURRENT_LIMIT'
  | 'RESOURCE_EXHAUSTED_CAUSE_SYSTEM_OVERLOADED'
  | 'RESOURCE_EXHAUSTED_CAUSE_BUSY_WORKFLOW'
  | 'RESOURCE_EXHAUSTED_CAUSE_PERSISTENCE_STORAGE_LIMIT';

/** RESOURCE_EXHAUSTED with `ResourceExhaustedFailure{cause}`: a limit or backpressure; clients retry. */
export class ResourceExhaustedError extends FrontendError {
  override readonly name = 'ResourceExhaustedError';
  readonly code = grpc.status.RESOURCE_EXHAUSTED;
  constructor(
    message: string,
    readonly exhaustedCause: ResourceExhaustedCause
  ) {
    super(message, [packAny(`${errorDetails}ResourceExhaustedFailure`, { cause: exhaustedCause })]);
  }
}

/** UNAVAILABLE: this node cannot serve the request now (not the shard leader, shutting down); clients retry. */
export class UnavailableError extends FrontendError {
  override readonly name = 'UnavailableError';
  readonly code = grpc.status.UNAVAILABLE;
}

/** UNIMPLEMENTED: an RPC Cairn does not serve. Never `{}` (TEMPORAL-API.md §3). */
export class UnimplementedError extends FrontendError {
  override readonly name = 'UnimplementedError';
  readonly code = grpc.status.UNIMPLEMENTED;
  constructor(rpcName: string) {
    super(`Cairn does not implement ${rpcName}`);
  }
}

/** The status object grpc-js sends for `error`, with the `google.rpc.Status` trailer. */
export function toServiceError(error: FrontendError): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  metadata.set(
    statusDetailsTrailer,
    encodeRpcStatus({ code: error.code, message: error.message, details: [...error.details] })
  );
  return { code: error.code, details: error.message, metadata };
}

/** DEADLINE_EXCEEDED: the engine waited as long as the caller allows (a query no worker answered in time). */
export class DeadlineExceededError extends FrontendError {
  override readonly name = 'DeadlineExceededError';
  readonly code = grpc.status.DEADLINE_EXCEEDED;
}
