/**
 * The data the Raft core consumes and produces. Everything here is plain data: the core never performs I/O,
 * so drivers, storages, transports and the simulator all speak in these types.
 *
 * Naming follows the Raft paper and etcd-raft: *term* and *index* are Raft positions only; *commit* is only
 * ever said of Raft entries.
 */

/** A Raft peer id. Positive integer; {@link NONE} (0) means "nobody". */
export type NodeId = number;

/** The absent node id: no leader known, no vote cast. */
export const NONE: NodeId = 0;

/** What an entry carries. `normal` entries hold application data (empty data = a leader's no-op). */
export type EntryKind = 'normal' | 'confChange';

/** One slot of the replicated log. */
export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly kind: EntryKind;
  /** Application bytes, or an encoded {@link ConfChange} when `kind` is `confChange`. Never mutated. */
  readonly data: Uint8Array;
}

/** State that must be durable before any message that depends on it leaves the node (paper Figure 2). */
export interface HardState {
  readonly term: number;
  /** Whom this node voted for in `term`, or {@link NONE}. */
  readonly vote: NodeId;
  readonly commit: number;
}

/** The configuration: who votes and who only learns. Sorted ascending, disjoint. */
export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

/** A membership change, one node at a time (thesis §4.1). Takes effect when its entry is applied. */
export interface ConfChange {
  readonly kind: 'addNode' | 'addLearner' | 'removeNode';
  readonly nodeId: NodeId;
  /** Opaque to Raft: what the application needs to reach the node (an address, say). */
  readonly context?: string;
}

export interface SnapshotMetadata {
  /** The index of the last entry the snapshot covers. */
  readonly index: number;
  /** The term of that entry. */
  readonly term: number;
  /** The configuration as of `index`. */
  readonly confState: ConfState;
}

/** A state-machine image as of `metadata.index`. `data` is opaque to Raft. */
export interface Snapshot {
  readonly metadata: SnapshotMetadata;
  readonly data: Uint8Array;
}

/**
 * Message types. Local ones (`hup`, `beat`, `prop` stepped locally, `snapStatus`, `unreachable`,
 * `checkQuorum`) are never sent over the network by the core.
 */
export type MessageType =
  | 'hup' // local: start an election (or pre-election)
  | 'beat' // local: leader sends heartbeats
  | 'prop' // propose entries; followers forward to the leader
  | 'app' // AppendEntries
  | 'appResp'
  | 'vote' // RequestVote
  | 'voteResp'
  | 'preVote' // thesis §9.6
  | 'preVoteResp'
  | 'snap' // InstallSnapshot (whole snapshot; transports chunk it, see transport/snapshotTransfer.ts)
  | 'heartbeat'
  | 'heartbeatResp'
  | 'unreachable' // local: the transport could not reach `from`
  | 'snapStatus' // local: the transport reports a snapshot's delivery (reject = failed)
  | 'checkQuorum' // local: leader checks it heard from a quorum recently
  | 'transferLeader' // thesis §3.10
  | 'timeoutNow' // leader tells the transferee to campaign at once
  | 'readIndex' // thesis §6.4
  | 'readIndexResp';

/**
 * Every message type, once, in a fixed order: the peer wire format numbers them by position (value = index + 1),
 * so new types are appended, never inserted. `satisfies` plus the check below keep the list complete.
 */
export const MESSAGE_TYPES = [
  'hup',
  'beat',
  'prop',
  'app',
  'appResp',
  'vote',
  'voteResp',
  'preVote',
  'preVoteResp',
  'snap',
  'heartbeat',
  'heartbeatResp',
  'unreachable',
  'snapStatus',
  'checkQuorum',
  'transferLeader',
  'timeoutNow',
  'readIndex',
  'readIndexResp',
] as const satisfies readonly MessageType[];

/** Compile-time check: if a MessageType is missing from MESSAGE_TYPES, this declaration does not type-check. */
export const MESSAGE_TYPES_COMPLETE: Exclude<MessageType, (typeof MESSAGE_TYPES)[number]> extends never ? true : never =
  true;

/**
 * One Raft message. Fields irrelevant to a type keep their zero value, as in etcd's raftpb.Message, so the
 * shape is uniform and cheap to encode.
 */
export interface Message {
  readonly type: MessageType;
  readonly to: NodeId;
  readonly from: NodeId;
  readonly term: number;
  /** `app`: term of the entry at `index`. `vote`/`preVote`: candidate's last log term. `appResp` reject: hint term. */
  readonly logTerm: number;
  /** `app`: index preceding `entries`. `vote`: candidate's last index. `appResp`: acked/rejected index. */
  readonly index: number;
  readonly entries: readonly Entry[];
  readonly commit: number;
  readonly snapshot: Snapshot | null;
  readonly reject: boolean;
  /** `appResp` reject: the follower's hint for the probe index (fast back-off). */
  readonly rejectHint: number;
  /** `readIndex` request context; `hup`/`vote` carry `campaignTransfer` for leader transfer. */
  readonly context: Uint8Array;
}

/** A completed ReadIndex request: reads at `index` or later are linearizable once applied. */
export interface ReadState {
  readonly index: number;
  readonly requestContext: Uint8Array;
}

export type RaftRole = 'follower' | 'preCandidate' | 'candidate' | 'leader';

/** Volatile state that callers may want to observe; not persisted. */
export interface SoftState {
  readonly leader: NodeId;
  readonly role: RaftRole;
}

/**
 * What the driver must do next, handed out by `RawNode.ready()` and acknowledged with `advance()`.
 *
 * Order (etcd Ready contract, thesis §3.8, §10.2.1):
 * 1. persist `hardState`, `snapshot` and `entries` (one synced write);
 * 2. `messages` may be sent at once, in parallel with the write (the leader's appends);
 * 3. `messagesAfterPersist` only after the write is durable (votes, append acks, the self-acks);
 * 4. apply `snapshot` (if any) then `committedEntries`, in order;
 * 5. call `advance()`.
 */
export interface Ready {
  readonly softState: SoftState | null;
  readonly hardState: HardState | null;
  readonly readStates: readonly ReadState[];
  readonly entries: readonly Entry[];
  readonly snapshot: Snapshot | null;
  readonly committedEntries: readonly Entry[];
  readonly messages: readonly Message[];
  readonly messagesAfterPersist: readonly Message[];
  /** True when hardState or entries must reach disk with fsync before `messagesAfterPersist` leave. */
  readonly mustSync: boolean;
}

/** Builds a message with every field at its zero value except those given. */
export function makeMessage(fields: Partial<Message> & Pick<Message, 'type'>): Message {
  return {
    to: NONE,
    from: NONE,
    term: 0,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    snapshot: null,
    reject: false,
    rejectHint: 0,
    context: EMPTY_BYTES,
    ...fields,
  };
}

export const EMPTY_BYTES: Uint8Array = new Uint8Array(0);

export const EMPTY_HARD_STATE: HardState = { term: 0, vote: NONE, commit: 0 };

export const EMPTY_CONF_STATE: ConfState = { voters: [], learners: [] };

export function isEmptyHardState(hardState: HardState): boolean {
  return hardState.term === 0 && hardState.vote === NONE && hardState.commit === 0;
}

export function hardStateEquals(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

/** Messages whose `term` is not compared against the local term (they are not from the wire). */
export function isLocalMessage(type: MessageType): boolean {
  return type === 'hup' || type === 'beat' || type === 'unreachable' || type === 'snapStatus' || type === 'checkQuorum';
}

/** Responses are sent by the receiver of a request back to its sender. */
export function isResponseMessage(type: MessageType): boolean {
  return (
    type === 'appResp' ||
    type === 'voteResp' ||
    type === 'heartbeatResp' ||
    type === 'preVoteResp' ||
    type === 'unreachable' ||
    type === 'readIndexResp'
  );
}

/** Size in bytes that flow control accounts for an entry (payload only, as etcd does). */
export function entryPayloadBytes(entry: Entry): number {
  return entry.data.byteLength;
}
