/**
 * Serializes a whole Raft message (used for `snap` messages, which travel as chunks). JSON with base64 byte
 * fields: slow but simple, and only snapshots take this path.
 */
import type { Entry, Message } from '../../src/raft/core/types.js';

interface WireEntry {
  readonly term: number;
  readonly index: number;
  readonly kind: Entry['kind'];
  readonly data: string;
}

const toBase64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const fromBase64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

export function encodeMessage(message: Message): Uint8Array {
  const wire = {
    ...message,
    context: toBase64(message.context),
    entries: message.entries.map((entry): WireEntry => ({ ...entry, data: toBase64(entry.data) })),
    snapshot:
      message.snapshot === null ? null : { metadata: message.snapshot.metadata, data: toBase64(message.snapshot.data) },
  };
  return new TextEncoder().encode(JSON.stringify(wire));
}

export function decodeMessage(bytes: Uint8Array): Message {
  const wire = JSON.parse(new TextDecoder().decode(bytes)) as Omit<Message, 'context' | 'entries' | 'snapshot'> & {
    context: string;
    entries: WireEntry[];
    snapshot: { metadata: NonNullable<Message['snapshot']>['metadata']; data: string } | null;
  };
  return {
    ...wire,
    context: fromBase64(wire.context),
    entries: wire.entries.map((entry) => ({ ...entry, data: fromBase64(entry.data) })),
    snapshot:
      wire.snapshot === null ? null : { metadata: wire.snapshot.metadata, data: fromBase64(wire.snapshot.data) },
  };
}
