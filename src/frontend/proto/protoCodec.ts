/**
 * Message encoding with proto-loader's conventions (TEMPORAL-API.md §1), so handlers see exactly the shapes the design
 * describes: camelCase fields, enums as their names (`EVENT_TYPE_…`), 64-bit integers as decimal strings, `bytes` as
 * Buffer, unset fields `undefined` (defaults off) and a virtual field per oneof naming its set member.
 *
 * `google.protobuf.Any` and `google.rpc.Status` keep their snake-case field names (`type_url`), as with proto-loader.
 */
import protobuf from 'protobufjs';

/** A decoded protobuf message as handlers see it. Field values follow {@link protoLoaderConversion}. */
export type ProtoObject = { [field: string]: unknown };

/**
 * proto-loader's `loadSync` options `longs:String, enums:String, bytes:Buffer, defaults:false, oneofs:true`, as
 * protobufjs conversion options (proto-loader passes these same options to `Type.toObject`).
 */
export const protoLoaderConversion: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  bytes: Buffer,
  defaults: false,
  oneofs: true,
};

/**
 * A request whose bytes did not decode. The deserializer returns it instead of throwing, because grpc-js answers a
 * throwing deserializer with INTERNAL, which clients that saw `internalErrorDifferentiation` treat as a server bug.
 * The dispatcher answers INVALID_ARGUMENT instead.
 */
export class MalformedRequest {
  constructor(
    /** Full name of the message type that failed to decode. */
    readonly typeName: string,
    /** protobufjs' description of the failure. */
    readonly reason: string
  ) {}
}

/** Encodes a plain object (proto-loader shape) as a message of `type`. Throws on values that do not fit the type. */
export function encodeMessage(type: protobuf.Type, value: ProtoObject): Buffer {
  const message = type.fromObject(value);
  const bytes = type.encode(message).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decodes `bytes` as a message of `type` into the proto-loader shape. Throws on malformed bytes. */
export function decodeMessage(type: protobuf.Type, bytes: Uint8Array): ProtoObject {
  return type.toObject(type.decode(bytes), protoLoaderConversion);
}

/** grpc-js serializer for `type` (responses, and requests in the test clients). */
export function serializerFor(type: protobuf.Type): (value: ProtoObject) => Buffer {
  return (value) => {
    if (Array.isArray(value) || value === null || typeof value !== 'object') {
      throw new TypeError(`expected an object with the structure of ${type.fullName}`);
    }
    return encodeMessage(type, value);
  };
}

/** grpc-js deserializer for requests of `type`: never throws; malformed bytes become a {@link MalformedRequest}. */
export function tolerantDeserializerFor(type: protobuf.Type): (bytes: Buffer) => ProtoObject | MalformedRequest {
  return (bytes) => {
    try {
      return decodeMessage(type, bytes);
    } catch (error) {
      return new MalformedRequest(type.fullName.replace(/^\./, ''), error instanceof Error ? error.message : 'unknown');
    }
  };
}

/** grpc-js deserializer for `type` that throws on malformed bytes (responses, in test clients). */
export function deserializerFor(type: protobuf.Type): (bytes: Buffer) => ProtoObject {
  return (bytes) => decodeMessage(type, bytes);
}
