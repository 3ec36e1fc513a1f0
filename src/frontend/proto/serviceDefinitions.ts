/**
 * grpc-js service definitions built from protobufjs reflection, the equivalent of proto-loader's
 * `createServiceDefinition` without `.proto` files (docs/frontend.md).
 */
import type * as grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import { healthProtoRoot } from './healthRoot.js';
import {
  deserializerFor,
  serializerFor,
  tolerantDeserializerFor,
  type MalformedRequest,
  type ProtoObject,
} from './protoCodec.js';
import { temporalProtoRoot } from './temporalRoot.js';

/** Full names of the services the frontend serves. */
export const workflowServiceName = 'temporal.api.workflowservice.v1.WorkflowService';
export const operatorServiceName = 'temporal.api.operatorservice.v1.OperatorService';
export const healthServiceName = 'grpc.health.v1.Health';

/** One RPC of a served service. */
export interface RpcMethod {
  /** Full service name, e.g. `temporal.api.workflowservice.v1.WorkflowService`. */
  readonly serviceName: string;
  /** Method name as in the `.proto`, e.g. `GetSystemInfo`. */
  readonly methodName: string;
  /** `Service/Method`, the key of the handler table and the name used in error messages. */
  readonly rpcName: string;
  /** HTTP/2 path, `/Service/Method`. */
  readonly path: string;
  readonly requestType: protobuf.Type;
  readonly responseType: protobuf.Type;
  readonly responseStream: boolean;
  readonly requestStream: boolean;
}

/** A service ready for `grpc.Server.addService` plus the reflection of its methods. */
export interface ServiceBinding {
  readonly serviceName: string;
  readonly methods: readonly RpcMethod[];
  /** Request deserializers never throw (they return a {@link MalformedRequest}). */
  readonly serverDefinition: grpc.ServiceDefinition;
  /** Same paths with throwing deserializers, for clients (tests). */
  readonly clientDefinition: grpc.ServiceDefinition;
}

function describeMethod(service: protobuf.Service, method: protobuf.Method): RpcMethod {
  const serviceName = service.fullName.replace(/^\./, '');
  method.resolve();
  const requestType = method.resolvedRequestType;
  const responseType = method.resolvedResponseType;
  if (requestType === null || responseType === null) {
    throw new Error(`${serviceName}/${method.name}: request or response type did not resolve`);
  }
  return {
    serviceName,
    methodName: method.name,
    rpcName: `${serviceName}/${method.name}`,
    path: `/${serviceName}/${method.name}`,
    requestType,
    responseType,
    requestStream: method.requestStream === true,
    responseStream: method.responseStream === true,
  };
}

function methodDefinition(
  method: RpcMethod,
  requestDeserialize: (bytes: Buffer) => ProtoObject | MalformedRequest
): grpc.MethodDefinition<ProtoObject, ProtoObject> {
  return {
    path: method.path,
    requestStream: method.requestStream,
    responseStream: method.responseStream,
    requestSerialize: serializerFor(method.requestType),
    // The server side receives MalformedRequest values too; the dispatcher checks for them first.
    requestDeserialize: requestDeserialize as (bytes: Buffer) => ProtoObject,
    responseSerialize: serializerFor(method.responseType),
    responseDeserialize: deserializerFor(method.responseType),
    originalName: method.methodName.charAt(0).toLowerCase() + method.methodName.slice(1),
  };
}

function bindService(root: protobuf.Root, serviceName: string): ServiceBinding {
  const service = root.lookupService(serviceName);
  const methods = service.methodsArray.map((method) => describeMethod(service, method));
  const serverDefinition: Record<string, grpc.MethodDefinition<ProtoObject, ProtoObject>> = {};
  const clientDefinition: Record<string, grpc.MethodDefinition<ProtoObject, ProtoObject>> = {};
  for (const method of methods) {
    serverDefinition[method.methodName] = methodDefinition(method, tolerantDeserializerFor(method.requestType));
    clientDefinition[method.methodName] = methodDefinition(method, deserializerFor(method.requestType));
  }
  return { serviceName, methods, serverDefinition, clientDefinition };
}

let bindings: readonly ServiceBinding[] | undefined;

/** The three services the frontend serves: WorkflowService, OperatorService and Health. Built once per process. */
export function frontendServiceBindings(): readonly ServiceBinding[] {
  if (bindings === undefined) {
    bindings = [
      bindService(temporalProtoRoot(), workflowServiceName),
      bindService(temporalProtoRoot(), operatorServiceName),
      bindService(healthProtoRoot(), healthServiceName),
    ];
  }
  return bindings;
}

/** The binding of one served service; throws if `serviceName` is not served. */
export function serviceBinding(serviceName: string): ServiceBinding {
  const binding = frontendServiceBindings().find((candidate) => candidate.serviceName === serviceName);
  if (binding === undefined) {
    throw new Error(`the frontend does not serve ${serviceName}`);
  }
  return binding;
}
