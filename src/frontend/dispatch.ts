/**
 * Turns the handler table into grpc-js service implementations. Every RPC of a served service gets an
 * implementation: its handler, or UNIMPLEMENTED naming the RPC (TEMPORAL-API.md §3: never `{}`).
 *
 * The dispatcher owns the error boundary. A {@link FrontendError} becomes its status with `grpc-status-details-bin`;
 * any other exception becomes INTERNAL with the error logged, and never escapes to crash the process, except a
 * broken invariant (AssertionError), which is fail-stop. Requests that
 * failed to decode arrive as {@link MalformedRequest} and get INVALID_ARGUMENT before any handler runs.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { AssertionError } from '../raft/core/errors.js';
import { FrontendError, InvalidArgumentError, UnimplementedError, toServiceError } from './errors.js';
import type { HandlerTable } from './handlers/handlerTable.js';
import type { CallContext, FrontendServices, UnaryHandler } from './handlers/handlerTypes.js';
import { MalformedRequest, type ProtoObject } from './proto/protoCodec.js';
import type { RpcMethod, ServiceBinding } from './proto/serviceDefinitions.js';

/** What the dispatcher needs besides the table. */
export interface DispatchOptions {
  readonly handlers: HandlerTable;
  readonly services: FrontendServices;
  readonly logger: Logger;
  /**
   * A broken invariant (an AssertionError) is fail-stop (STYLE.md rule 6): the node must not keep serving on
   * state it can no longer trust. Defaults to logging at fatal and exiting with code 70 (EX_SOFTWARE); tests
   * pass their own.
   */
  readonly onInvariantBroken?: (error: AssertionError) => void;
}

function exitOnInvariantBroken(logger: Logger): (error: AssertionError) => void {
  return (error) => {
    logger.fatal({ err: error }, 'invariant broken while serving a request: stopping the node');
    process.exit(70);
  };
}

type ServerRequest = ProtoObject | MalformedRequest;

/** The message sent with INTERNAL: fixed, so internals never leak to callers; the log has the details. */
export const internalErrorMessage = 'internal error in the Cairn frontend; the server log has the details';

function statusFor(error: unknown, method: RpcMethod, options: DispatchOptions): Partial<grpc.StatusObject> {
  const logger = options.logger;
  if (error instanceof AssertionError) {
    (options.onInvariantBroken ?? exitOnInvariantBroken(logger))(error);
  }
  if (error instanceof FrontendError) {
    logger.debug({ rpc: method.rpcName, code: grpc.status[error.code], message: error.message }, 'rpc failed');
    return toServiceError(error);
  }
  logger.error({ rpc: method.rpcName, err: error }, 'rpc handler threw an unexpected error');
  return { code: grpc.status.INTERNAL, details: internalErrorMessage };
}

async function runHandler(
  method: RpcMethod,
  handler: UnaryHandler | undefined,
  request: ServerRequest,
  call: CallContext
): Promise<ProtoObject> {
  if (handler === undefined) {
    throw new UnimplementedError(method.rpcName);
  }
  if (request instanceof MalformedRequest) {
    throw new InvalidArgumentError(
      `the request is not a valid ${request.typeName}: ${request.reason}; send a message encoded from the published protos`
    );
  }
  return handler(request, call);
}

function unaryImplementation(
  method: RpcMethod,
  handler: UnaryHandler | undefined,
  options: DispatchOptions
): grpc.handleUnaryCall<ServerRequest, ProtoObject> {
  const logger = options.logger.child({ rpc: method.rpcName });
  return (call, callback) => {
    const controller = new AbortController();
    call.on('cancelled', () => controller.abort());
    const context: CallContext = {
      rpcName: method.rpcName,
      metadata: call.metadata,
      signal: controller.signal,
      logger,
      services: options.services,
    };
    runHandler(method, handler, call.request, context).then(
      (response) => callback(null, response),
      (error: unknown) => callback(statusFor(error, method, options))
    );
  };
}

function unimplementedStream(method: RpcMethod): grpc.handleServerStreamingCall<ServerRequest, ProtoObject> {
  return (call) => {
    call.emit('error', toServiceError(new UnimplementedError(method.rpcName)));
  };
}

/**
 * The grpc-js implementation object for `binding`: one entry per method. Streaming methods (only Health/Watch among
 * the served services) answer UNIMPLEMENTED; the handler table holds unary handlers only.
 */
export function serviceImplementation(
  binding: ServiceBinding,
  options: DispatchOptions
): grpc.UntypedServiceImplementation {
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const method of binding.methods) {
    if (method.requestStream || method.responseStream) {
      implementation[method.methodName] = unimplementedStream(method);
    } else {
      implementation[method.methodName] = unaryImplementation(method, options.handlers.get(method.rpcName), options);
    }
  }
  return implementation;
}
