/**
 * Wire codec of the peer transport: Raft {@link Message}s and per-peer batches to and from
 * `proto/cairn/peer/v1/peer.proto`, loaded with protobufjs at runtime.
 *
 * Conversion follows proto-loader's options except `longs: Number` (not String): every uint64 here is a Raft term,
 * index or id, which the Raft library keeps below 2^53, so a JS number is exact; the decoder checks that and rejects
 * larger values instead of rounding them.
 */
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import {
  MESSAGE_TYPES,
  type Entry,
  type EntryKind,
  type Message,
  type MessageType,
  type NodeId,
  type Snapshot,
} from '../core/types.js';

/** The bytes of a peer message did not decode into a valid Raft message. The stream that carried them is suspect. */
export class PeerCodecError extends Error {
  override readonly name = 'PeerCodecError';
}

/** The messages of one Raft group, in send order. */
export interface GroupMessages {
  readonly groupId: number;
  readonly messages: readonly Message[];
}

/** One write on a peer stream: everything queued for that peer in one event-loop turn. */
export interface PeerBatch {
  readonly fromNodeId: NodeId;
  readonly groups: readonly GroupMessages[];
}

/** Message types in proto enum order: enum value = index + 1 (0 is MESSAGE_TYPE_UNSPECIFIED). */
const messageTypes: readonly MessageType[] = MESSAGE_TYPES;
const entryKinds: readonly EntryKind[] = ['normal', 'confChange'];

/** Path of the `.proto`; `src/raft/transport` and `dist/raft/transport` both sit three levels below the root. */
const peerProtoPath = fileURLToPath(new URL('../../../proto/cairn/peer/v1/peer.proto', import.meta.url));

interface PeerTypes {
  readonly message: protobuf.Type;
  readonly batch: protobuf.Type;
  readonly ack: protobuf.Type;
}
let peerTypes: PeerTypes | undefined;

/** The protobufjs types of `cairn.peer.v1`, loaded once per process. */
export function peerProtoTypes(): PeerTypes {
  if (peerTypes === undefined) {
    const root = protobuf.loadSync(peerProtoPath);
    root.resolveAll();
    peerTypes = {
      message: root.lookupType('cairn.peer.v1.Message'),
      batch: root.lookupType('cairn.peer.v1.PeerBatch'),
      ack: root.lookupType('cairn.peer.v1.StreamAck'),
    };
  }
  return peerTypes;
}

const decodeConversion: protobuf.IConversionOptions = { longs: Number, enums: Number, defaults: true, arrays: true };

type Plain = { [field: string]: unknown };

function messageToPlain(message: Message): Plain {
  const typeNumber = messageTypes.indexOf(message.type) + 1;
  if (typeNumber === 0) {
    throw new PeerCodecError(`cannot encode message type ${String(message.type)}: not a Raft message type`);
  }
  return {
    type: typeNumber,
    to: message.to,
    from: message.from,
    term: message.term,
    logTerm: message.logTerm,
    index: message.index,
    entries: message.entries.map((entry) => ({
      term: entry.term,
      index: entry.index,
      kind: entryKinds.indexOf(entry.kind),
      data: entry.data,
    })),
    commit: message.commit,
    snapshot: message.snapshot === null ? undefined : snapshotToPlain(message.snapshot),
    reject: message.reject,
    rejectHint: message.rejectHint,
    context: message.context,
  };
}

function snapshotToPlain(snapshot: Snapshot): Plain {
  const { index, term, confState } = snapshot.metadata;
  return {
    metadata: { index, term, confState: { voters: confState.voters, learners: confState.learners } },
    data: snapshot.data,
  };
}

function field(plain: Plain, name: string): unknown {
  return plain[name];
}

function safeInteger(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new PeerCodecError(`${what} must be an integer in [0, 2^53), got ${String(value)}`);
  }
  return value;
}

/** Copies decoded bytes: protobufjs slices the receive buffer, and Raft keeps entry data indefinitely. */
function bytes(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new PeerCodecError(`${what} must be bytes`);
  }
  return new Uint8Array(value);
}

function plainObject(value: unknown, what: string): Plain {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new PeerCodecError(`${what} is missing`);
  }
  return value as Plain;
}

function plainArray(value: unknown, what: string): readonly unknown[] {
  if (!Array.isArray(value)) {
    throw new PeerCodecError(`${what} must be a list`);
  }
  return value;
}

function entryFromPlain(value: unknown): Entry {
  const plain = plainObject(value, 'entry');
  const kind = entryKinds[safeInteger(field(plain, 'kind'), 'entry kind')];
  if (kind === undefined) {
    throw new PeerCodecError(`unknown entry kind ${String(field(plain, 'kind'))}`);
  }
  return {
    term: safeInteger(field(plain, 'term'), 'entry term'),
    index: safeInteger(field(plain, 'index'), 'entry index'),
    kind,
    data: bytes(field(plain, 'data'), 'entry data'),
  };
}

function snapshotFromPlain(value: unknown): Snapshot | null {
  if (value === null || value === undefined) {
    return null;
  }
  const plain = plainObject(value, 'snapshot');
  const metadata = plainObject(field(plain, 'metadata'), 'snapshot metadata');
  const confState = plainObject(field(metadata, 'confState'), 'snapshot conf state');
  const ids = (name: string): NodeId[] =>
    plainArray(field(confState, name), `conf state ${name}`).map((id) => safeInteger(id, `conf state ${name} id`));
  return {
    metadata: {
      index: safeInteger(field(metadata, 'index'), 'snapshot index'),
      term: safeInteger(field(metadata, 'term'), 'snapshot term'),
      confState: { voters: ids('voters'), learners: ids('learners') },
    },
    data: bytes(field(plain, 'data'), 'snapshot data'),
  };
}

function messageFromPlain(value: unknown): Message {
  const plain = plainObject(value, 'message');
  const type = messageTypes[safeInteger(field(plain, 'type'), 'message type') - 1];
  if (type === undefined) {
    throw new PeerCodecError(`unknown message type ${String(field(plain, 'type'))}`);
  }
  return {
    type,
    to: safeInteger(field(plain, 'to'), 'to'),
    from: safeInteger(field(plain, 'from'), 'from'),
    term: safeInteger(field(plain, 'term'), 'term'),
    logTerm: safeInteger(field(plain, 'logTerm'), 'logTerm'),
    index: safeInteger(field(plain, 'index'), 'index'),
    entries: plainArray(field(plain, 'entries'), 'entries').map(entryFromPlain),
    commit: safeInteger(field(plain, 'commit'), 'commit'),
    snapshot: snapshotFromPlain(field(plain, 'snapshot')),
    reject: field(plain, 'reject') === true,
    rejectHint: safeInteger(field(plain, 'rejectHint'), 'rejectHint'),
    context: bytes(field(plain, 'context'), 'context'),
  };
}

/** Decodes with protobufjs, turning its wire errors into {@link PeerCodecError}. */
function decodePlain(type: protobuf.Type, encoded: Uint8Array): Plain {
  try {
    return type.toObject(type.decode(encoded), decodeConversion);
  } catch (error) {
    throw new PeerCodecError(`malformed ${type.name} bytes: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function toBuffer(encoded: Uint8Array): Buffer {
  return Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
}

/** Encodes one Raft message. Throws {@link PeerCodecError} on a value that is not a Raft message. */
export function encodeMessage(message: Message): Buffer {
  const { message: type } = peerProtoTypes();
  return toBuffer(type.encode(messageToPlain(message)).finish());
}

/** Decodes one Raft message. Throws {@link PeerCodecError} on malformed bytes or out-of-range values. */
export function decodeMessage(encoded: Uint8Array): Message {
  return messageFromPlain(decodePlain(peerProtoTypes().message, encoded));
}

/** Encodes a batch for the wire. */
export function encodePeerBatch(batch: PeerBatch): Buffer {
  const plain = {
    fromNodeId: batch.fromNodeId,
    groups: batch.groups.map((group) => ({ groupId: group.groupId, messages: group.messages.map(messageToPlain) })),
  };
  return toBuffer(peerProtoTypes().batch.encode(plain).finish());
}

/** Decodes a batch. Throws {@link PeerCodecError} on malformed bytes or out-of-range values. */
export function decodePeerBatch(encoded: Uint8Array): PeerBatch {
  const plain = decodePlain(peerProtoTypes().batch, encoded);
  return {
    fromNodeId: safeInteger(field(plain, 'fromNodeId'), 'fromNodeId'),
    groups: plainArray(field(plain, 'groups'), 'groups').map((value) => {
      const group = plainObject(value, 'group');
      return {
        groupId: safeInteger(field(group, 'groupId'), 'groupId'),
        messages: plainArray(field(group, 'messages'), 'messages').map(messageFromPlain),
      };
    }),
  };
}
