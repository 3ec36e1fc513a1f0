/**
 * Update protocol messages on the wire (TEMPORAL-API.md §5.9): the engine's {@link ProtocolMessage}s, whose bodies
 * are decoded, to and from `temporal.api.protocol.v1.Message` in the proto-loader shape, whose `body` is a
 * `google.protobuf.Any` (`{type_url, value}`, see anyCodec.ts). A poll answer carries `update.v1.Request` bodies; a
 * completion carries `Acceptance`, `Response` and `Rejection` bodies.
 */
import type { ProtoMessage } from '../../actors/history/events.js';
import type { ProtocolMessage, ProtocolMessageBody } from '../../actors/updates/updateMessages.js';
import { InvalidArgumentError } from '../errors.js';
import { packAny, unpackAny, type AnyMessage } from './anyCodec.js';
import type { ProtoObject } from './protoCodec.js';

const updatePackage = 'temporal.api.update.v1.';

/** The `Any` type of each body kind. */
const bodyTypeNames: Readonly<Record<ProtocolMessageBody['kind'], string>> = {
  request: `${updatePackage}Request`,
  acceptance: `${updatePackage}Acceptance`,
  response: `${updatePackage}Response`,
  rejection: `${updatePackage}Rejection`,
};

/** A protocol message Cairn cannot read (malformed, or not an update message): INVALID_ARGUMENT. */
export class ProtocolMessageError extends InvalidArgumentError {}

/** The body's fields as the proto message of its type (proto-loader shape); nulls are left unset. */
function bodyFields(body: ProtocolMessageBody): ProtoObject {
  switch (body.kind) {
    case 'request':
      return { ...body.request };
    case 'acceptance':
      return {
        acceptedRequestMessageId: body.acceptedRequestMessageId,
        acceptedRequestSequencingEventId: body.acceptedRequestSequencingEventId,
        ...(body.acceptedRequest === null ? {} : { acceptedRequest: body.acceptedRequest }),
      };
    case 'response':
      return {
        ...(body.meta === null ? {} : { meta: body.meta }),
        ...(body.outcome === null ? {} : { outcome: body.outcome }),
      };
    case 'rejection':
      return {
        rejectedRequestMessageId: body.rejectedRequestMessageId,
        rejectedRequestSequencingEventId: body.rejectedRequestSequencingEventId,
        ...(body.rejectedRequest === null ? {} : { rejectedRequest: body.rejectedRequest }),
        ...(body.failure === null ? {} : { failure: body.failure }),
      };
  }
}

/** Encodes an engine message as a `temporal.api.protocol.v1.Message` object (e.g. for a poll answer's `messages`). */
export function encodeProtocolMessage(message: ProtocolMessage): ProtoObject {
  return {
    id: message.id,
    protocolInstanceId: message.protocolInstanceId,
    ...(message.eventId === null ? {} : { eventId: String(message.eventId) }),
    body: packAny(bodyTypeNames[message.body.kind], bodyFields(message.body)),
  };
}

function stringField(value: ProtoObject, field: string, fallback: string): string {
  const fieldValue = value[field];
  return typeof fieldValue === 'string' ? fieldValue : fallback;
}

function messageOrNull(value: ProtoObject, field: string): ProtoMessage | null {
  const fieldValue = value[field];
  return typeof fieldValue === 'object' && fieldValue !== null ? (fieldValue as ProtoMessage) : null;
}

/** The body kind whose `Any` type is `typeName`, or undefined for a type that is not an update body. */
function kindOf(typeName: string): ProtocolMessageBody['kind'] | undefined {
  const kinds = Object.keys(bodyTypeNames) as Array<ProtocolMessageBody['kind']>;
  return kinds.find((kind) => bodyTypeNames[kind] === typeName);
}

/** The engine body of a decoded `update.v1` message of `kind`; unset fields become defaults or null. */
function bodyOf(kind: ProtocolMessageBody['kind'], value: ProtoObject): ProtocolMessageBody {
  switch (kind) {
    case 'request':
      return { kind, request: value };
    case 'acceptance':
      return {
        kind,
        acceptedRequestMessageId: stringField(value, 'acceptedRequestMessageId', ''),
        acceptedRequestSequencingEventId: stringField(value, 'acceptedRequestSequencingEventId', '0'),
        acceptedRequest: messageOrNull(value, 'acceptedRequest'),
      };
    case 'response':
      return { kind, meta: messageOrNull(value, 'meta'), outcome: messageOrNull(value, 'outcome') };
    case 'rejection':
      return {
        kind,
        rejectedRequestMessageId: stringField(value, 'rejectedRequestMessageId', ''),
        rejectedRequestSequencingEventId: stringField(value, 'rejectedRequestSequencingEventId', '0'),
        rejectedRequest: messageOrNull(value, 'rejectedRequest'),
        failure: messageOrNull(value, 'failure'),
      };
  }
}

/** The message's `Any` body, checked for shape. */
function anyBodyOf(message: ProtoObject, at: string): AnyMessage {
  const body = message['body'];
  if (typeof body !== 'object' || body === null) {
    throw new ProtocolMessageError(`${at} has no body; send an update Acceptance, Response or Rejection`);
  }
  const { type_url: typeUrl, value } = body as Record<string, unknown>;
  if (typeof typeUrl !== 'string' || !(value === undefined || value instanceof Uint8Array)) {
    throw new ProtocolMessageError(`${at} has a malformed body: expected google.protobuf.Any`);
  }
  return { type_url: typeUrl, value: Buffer.from(value ?? new Uint8Array(0)) };
}

/** `sequencingId.eventId` as a number; null when absent; ProtocolMessageError when it is not a valid id. */
function eventIdOf(message: ProtoObject, at: string): number | null {
  const eventId = message['eventId'];
  if (eventId === undefined || eventId === null) {
    return null;
  }
  const value = Number(eventId);
  if ((typeof eventId !== 'string' && typeof eventId !== 'number') || !Number.isSafeInteger(value) || value < 0) {
    throw new ProtocolMessageError(`${at} has eventId ${String(eventId)}, which is not a valid event id`);
  }
  return value;
}

/**
 * Decodes one `temporal.api.protocol.v1.Message` (as the request decoder produced it) into an engine message.
 * ProtocolMessageError (INVALID_ARGUMENT) for a malformed message, an unknown body type or undecodable body bytes.
 */
export function decodeProtocolMessage(message: ProtoObject, index: number): ProtocolMessage {
  const at = `messages[${index}]`;
  const any = anyBodyOf(message, at);
  const typeName = any.type_url.slice(any.type_url.lastIndexOf('/') + 1);
  const kind = kindOf(typeName);
  if (kind === undefined) {
    throw new ProtocolMessageError(`${at} has body type '${any.type_url}', which is not an update message`);
  }
  let value: ProtoObject;
  try {
    value = unpackAny(any).value;
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unknown error';
    throw new ProtocolMessageError(`${at} has a ${typeName} body that does not decode: ${reason}`);
  }
  const body = bodyOf(kind, value);
  return {
    id: stringField(message, 'id', ''),
    protocolInstanceId: stringField(message, 'protocolInstanceId', ''),
    eventId: eventIdOf(message, at),
    body,
  };
}

/** Decodes a completion's `messages` (absent = none); ProtocolMessageError for anything but a list of messages. */
export function decodeProtocolMessages(value: unknown): ProtocolMessage[] {
  if (value === undefined || value === null) {
    return [];
  }
  if (!Array.isArray(value)) {
    throw new ProtocolMessageError('messages must be a list of temporal.api.protocol.v1.Message');
  }
  return value.map((message: unknown, index) => {
    if (typeof message !== 'object' || message === null) {
      throw new ProtocolMessageError(`messages[${index}] is not a temporal.api.protocol.v1.Message`);
    }
    return decodeProtocolMessage(message as ProtoObject, index);
  });
}
