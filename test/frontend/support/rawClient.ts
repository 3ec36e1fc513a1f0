/**
 * Test clients for the frontend: a grpc-js client per served service, built from the same definitions the server uses
 * (so requests and responses have proto-loader shapes), and a generic client that sends raw bytes to any path.
 */
import * as grpc from '@grpc/grpc-js';
import type { ProtoObject } from '../../../src/frontend/proto/protoCodec.js';
import { serviceBinding } from '../../../src/frontend/proto/serviceDefinitions.js';

/** The outcome of one unary call: the response, or the error status with its trailers. */
export type CallOutcome =
  { readonly ok: true; readonly response: ProtoObject } | { readonly ok: false; readonly error: grpc.ServiceError };

/** A typed-enough client of one served service. */
export interface ServiceClient {
  call(methodName: string, request: ProtoObject): Promise<CallOutcome>;
  close(): void;
}

/** Client options: grpc-js clients send any size by default; receive size matches the server. */
const clientOptions: grpc.ClientOptions = { 'grpc.max_receive_message_length': 64 * 1024 * 1024 };

/** A client of `serviceName` on `127.0.0.1:port`. */
export function serviceClient(port: number, serviceName: string): ServiceClient {
  const binding = serviceBinding(serviceName);
  const Constructor = grpc.makeGenericClientConstructor(binding.clientDefinition, serviceName);
  const client = new Constructor(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), clientOptions);
  return {
    call(methodName, request) {
      const method = binding.clientDefinition[methodName];
      if (method === undefined) {
        throw new Error(`${serviceName} has no method ${methodName}`);
      }
      return new Promise((resolve) => {
        client.makeUnaryRequest<ProtoObject, ProtoObject>(
          method.path,
          method.requestSerialize,
          method.responseDeserialize,
          request,
          (error, response) => resolve(error !== null ? { ok: false, error } : { ok: true, response: response ?? {} })
        );
      });
    },
    close: () => client.close(),
  };
}

/** The outcome of a raw call: response bytes or the error status. */
export type RawOutcome =
  { readonly ok: true; readonly response: Buffer } | { readonly ok: false; readonly error: grpc.ServiceError };

/** A client that sends arbitrary bytes to arbitrary paths (fuzzing, unknown methods, oversized messages). */
export interface RawClient {
  call(path: string, body: Buffer): Promise<RawOutcome>;
  close(): void;
}

/** A raw client of `127.0.0.1:port`. */
export function rawClient(port: number): RawClient {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), clientOptions);
  const identity = (bytes: Buffer): Buffer => bytes;
  return {
    call(path, body) {
      return new Promise((resolve) => {
        client.makeUnaryRequest<Buffer, Buffer>(path, identity, identity, body, (error, response) =>
          resolve(error !== null ? { ok: false, error } : { ok: true, response: response ?? Buffer.alloc(0) })
        );
      });
    },
    close: () => client.close(),
  };
}

/** Fails the test unless `outcome` is an error; returns it. */
export function expectError(outcome: CallOutcome | RawOutcome): grpc.ServiceError {
  if (outcome.ok) {
    throw new Error(`expected an error status, got a response`);
  }
  return outcome.error;
}

/** Fails the test unless `outcome` is a response; returns it. */
export function expectResponse(outcome: CallOutcome): ProtoObject {
  if (!outcome.ok) {
    throw new Error(`expected a response, got ${grpc.status[outcome.error.code]}: ${outcome.error.details}`);
  }
  return outcome.response;
}
