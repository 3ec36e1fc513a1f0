/**
 * `google.protobuf.Any` and `google.rpc.Status`, the error-detail envelope carried in `grpc-status-details-bin`.
 *
 * Gotcha (TEMPORAL-API.md §1): both keep snake-case field names in the proto-loader shape, `{type_url, value}`. Writing
 * `typeUrl` would silently encode an empty URL (protobufjs ignores unknown keys), which core rejects with `DataLoss:
 * unexpected type URL`. Everything that builds an `Any` goes through {@link packAny}, which writes the right key.
 */
import { encodeMessage, decodeMessage, type ProtoObject } from './protoCodec.js';
import { temporalProtoRoot } from './temporalRoot.js';

/** The URL prefix Temporal and Google use in `Any.type_url`. */
export const anyTypeUrlPrefix = 'type.googleapis.com/';

/** A `google.protobuf.Any` in the proto-loader shape. */
export interface AnyMessage {
  type_url: string;
  value: Buffer;
}

/** A decoded `google.rpc.Status`. */
export interface RpcStatus {
  code: number;
  message: string;
  details: AnyMessage[];
}

/** Packs `value`, a message of the Temporal root type `typeName` (e.g. `temporal.api.errordetails.v1.NotFoundFailure`). */
export function packAny(typeName: string, value: ProtoObject): AnyMessage {
  const type = temporalProtoRoot().lookupType(typeName);
  return { type_url: anyTypeUrlPrefix + typeName, value: encodeMessage(type, value) };
}

/** Unpacks an `Any` whose type is in the Temporal root; throws if the type is unknown or the bytes are malformed. */
export function unpackAny(any: AnyMessage): { typeName: string; value: ProtoObject } {
  const slash = any.type_url.lastIndexOf('/');
  const typeName = any.type_url.slice(slash + 1);
  const type = temporalProtoRoot().lookupType(typeName);
  return { typeName, value: decodeMessage(type, any.value) };
}

/** Encodes a `google.rpc.Status`, the value of the `grpc-status-details-bin` trailer. */
export function encodeRpcStatus(status: RpcStatus): Buffer {
  const type = temporalProtoRoot().lookupType('google.rpc.Status');
  return encodeMessage(type, { code: status.code, message: status.message, details: status.details });
}

/** Decodes a `grpc-status-details-bin` trailer value. Throws on malformed bytes. */
export function decodeRpcStatus(bytes: Uint8Array): RpcStatus {
  const type = temporalProtoRoot().lookupType('google.rpc.Status');
  const decoded = decodeMessage(type, bytes);
  const details = (decoded.details as AnyMessage[] | undefined) ?? [];
  return {
    code: typeof decoded.code === 'number' ? decoded.code : 0,
    message: typeof decoded.message === 'string' ? decoded.message : '',
    details: details.map((detail) => ({ type_url: detail.type_url ?? '', value: detail.value ?? Buffer.alloc(0) })),
  };
}
