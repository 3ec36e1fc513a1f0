/**
 * The replicated state machine the simulator runs on every replica of a group: a tiny key-value store with
 * put, get and compare-and-set, plus a client session table (thesis §6.3) that makes retried writes
 * idempotent. Commands are JSON in the entry data; snapshots are JSON of the whole state.
 */
import { crc32 } from '../../src/raft/transport/snapshotTransfer.js';

/** A write as proposed by a node on behalf of a client. */
export type KvCommand =
  | {
      readonly kind: 'put';
      readonly clientId: number;
      readonly opSeq: number;
      readonly key: string;
      readonly value: number;
    }
  | {
      readonly kind: 'cas';
      readonly clientId: number;
      readonly opSeq: number;
      readonly key: string;
      readonly expected: number | null;
      readonly value: number;
    }
  /** Liveness probe of the simulator: takes effect on no key. */
  | { readonly kind: 'probe'; readonly probeId: number };

/** What a write returned: put always `ok`; cas whether it swapped. `stale` = an old retry of a finished op. */
export type KvResult =
  { readonly kind: 'put' } | { readonly kind: 'cas'; readonly swapped: boolean } | { readonly kind: 'stale' };

interface Session {
  readonly opSeq: number;
  readonly result: KvResult;
}

interface KvImage {
  readonly values: [string, number][];
  readonly sessions: [number, Session][];
  readonly probes: number;
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

export function encodeCommand(command: KvCommand): Uint8Array {
  return textEncoder.encode(JSON.stringify(command));
}

export function decodeCommand(data: Uint8Array): KvCommand {
  return JSON.parse(textDecoder.decode(data)) as KvCommand;
}

export class KvStateMachine {
  private values = new Map<string, number>();
  /** Last op per client: clients run one op at a time, so the latest one is all a retry can be. */
  private sessions = new Map<number, Session>();
  private probes = 0;

  /** Applies a command; a repeated (clientId, opSeq) returns the first result without applying again. */
  apply(command: KvCommand): KvResult {
    if (command.kind === 'probe') {
      this.probes++;
      return { kind: 'put' };
    }
    const session = this.sessions.get(command.clientId);
    if (session !== undefined && session.opSeq === command.opSeq) return session.result;
    if (session !== undefined && session.opSeq > command.opSeq) return { kind: 'stale' };
    const result = this.execute(command);
    this.sessions.set(command.clientId, { opSeq: command.opSeq, result });
    return result;
  }

  private execute(command: Exclude<KvCommand, { kind: 'probe' }>): KvResult {
    if (command.kind === 'put') {
      this.values.set(command.key, command.value);
      return { kind: 'put' };
    }
    const current = this.values.get(command.key) ?? null;
    if (current !== command.expected) return { kind: 'cas', swapped: false };
    this.values.set(command.key, command.value);
    return { kind: 'cas', swapped: true };
  }

  get(key: string): number | null {
    return this.values.get(key) ?? null;
  }

  /** The whole state, canonically ordered so equal states serialize to equal bytes. */
  serialize(): Uint8Array {
    const image: KvImage = {
      values: [...this.values.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
      sessions: [...this.sessions.entries()].sort((a, b) => a[0] - b[0]),
      probes: this.probes,
    };
    return textEncoder.encode(JSON.stringify(image));
  }

  /** Replaces the state with a snapshot's (empty data = the empty state). */
  restore(data: Uint8Array): void {
    if (data.length === 0) {
      this.values = new Map();
      this.sessions = new Map();
      this.probes = 0;
      return;
    }
    const image = JSON.parse(textDecoder.decode(data)) as KvImage;
    this.values = new Map(image.values);
    this.sessions = new Map(image.sessions);
    this.probes = image.probes;
  }

  /** A digest of the state for replica-convergence checks. */
  digest(): number {
    return crc32(this.serialize());
  }
}
