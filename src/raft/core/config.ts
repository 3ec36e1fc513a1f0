/**
 * Configuration of one Raft group member. Limits are named with units last (STYLE.md rule 7).
 */
import type { RaftStorage } from '../storage/raftStorage.js';
import { invariant } from './errors.js';
import type { RandomSource } from './random.js';
import type { NodeId } from './types.js';
import { NONE } from './types.js';

export type ReadOnlyOption =
  /** ReadIndex confirms leadership with a heartbeat round to a quorum (thesis §6.4). Always safe. */
  | 'safe'
  /** Lease reads (thesis §6.4.1): rely on CheckQuorum's lease; unsafe under unbounded clock drift. */
  | 'leaseBased';

export interface RaftConfig {
  /** This node's id; never {@link NONE}. */
  readonly id: NodeId;
  /** Ticks a follower waits without hearing from a leader before campaigning. Randomized in [e, 2e). */
  readonly electionTicks: number;
  /** Ticks between leader heartbeats. Must be smaller than `electionTicks`. */
  readonly heartbeatTicks: number;
  readonly storage: RaftStorage;
  /** The last index the application has applied (restart point). 0 for a fresh node. */
  readonly applied: number;
  /** Upper bound on the entry bytes of one append message (at least one entry is always sent). */
  readonly maxSizePerMsgBytes: number;
  /** Upper bound on the entry bytes in one Ready's `committedEntries`. */
  readonly maxCommittedSizePerReadyBytes: number;
  /** Upper bound on the payload bytes of uncommitted entries on a leader; 0 = no limit. */
  readonly maxUncommittedEntriesBytes: number;
  /** Max append messages in flight to one follower in the replicate state. */
  readonly maxInflightMsgs: number;
  /** Max entry bytes in flight to one follower; 0 = no limit. */
  readonly maxInflightBytes: number;
  /** Leader steps down when it has not heard from a quorum within an election timeout. */
  readonly checkQuorum: boolean;
  /** Run a pre-election before incrementing the term (thesis §9.6). */
  readonly preVote: boolean;
  readonly readOnlyOption: ReadOnlyOption;
  /**
   * Lease reads only: how many ticks after sending a heartbeat that a quorum acknowledged the leader may still
   * serve reads locally. Must stay below the election timeout with a margin for tick skew (asserted
   * ≤ electionTicks − 2): followers refuse votes for a full election timeout after hearing from the leader.
   */
  readonly leaseTicks: number;
  /** Bound on ReadIndex requests queued on a leader; more are dropped and the caller retries. */
  readonly pendingReadsMax: number;
  /** Followers drop proposals instead of forwarding them to the leader. */
  readonly disableProposalForwarding: boolean;
  /** The source of election-timeout randomness. */
  readonly random: RandomSource;
}

export type RaftConfigInput = Pick<RaftConfig, 'id' | 'storage' | 'random'> & Partial<RaftConfig>;

/** The default lease: two ticks short of the election timeout. */
export function defaultLeaseTicks(electionTicks: number): number {
  return Math.max(1, electionTicks - 2);
}

export const RAFT_CONFIG_DEFAULTS = {
  electionTicks: 10,
  heartbeatTicks: 1,
  applied: 0,
  maxSizePerMsgBytes: 1024 * 1024,
  maxCommittedSizePerReadyBytes: 4 * 1024 * 1024,
  maxUncommittedEntriesBytes: 64 * 1024 * 1024,
  maxInflightMsgs: 256,
  maxInflightBytes: 0,
  checkQuorum: true,
  preVote: true,
  readOnlyOption: 'safe',
  pendingReadsMax: 4096,
  disableProposalForwarding: false,
} as const satisfies Partial<RaftConfig>;

/** Fills defaults and validates. Invalid configuration is a programming error: it throws. */
export function resolveRaftConfig(input: RaftConfigInput): RaftConfig {
  const electionTicks = input.electionTicks ?? RAFT_CONFIG_DEFAULTS.electionTicks;
  const config: RaftConfig = { ...RAFT_CONFIG_DEFAULTS, leaseTicks: defaultLeaseTicks(electionTicks), ...input };
  invariant(config.id !== NONE && Number.isSafeInteger(config.id) && config.id > 0, 'raft: id must be positive');
  invariant(config.heartbeatTicks > 0, 'raft: heartbeatTicks must be greater than 0');
  invariant(config.electionTicks > config.heartbeatTicks, 'raft: electionTicks must be greater than heartbeatTicks');
  invariant(config.maxInflightMsgs > 0, 'raft: maxInflightMsgs must be greater than 0');
  invariant(config.maxSizePerMsgBytes > 0, 'raft: maxSizePerMsgBytes must be greater than 0');
  invariant(config.maxCommittedSizePerReadyBytes > 0, 'raft: maxCommittedSizePerReadyBytes must be greater than 0');
  invariant(
    config.maxInflightBytes === 0 || config.maxInflightBytes >= config.maxSizePerMsgBytes,
    'raft: maxInflightBytes must be 0 or at least maxSizePerMsgBytes'
  );
  invariant(config.pendingReadsMax > 0, 'raft: pendingReadsMax must be greater than 0');
  invariant(
    config.readOnlyOption !== 'leaseBased' || (config.leaseTicks > 0 && config.leaseTicks <= config.electionTicks - 2),
    'raft: leaseTicks must be in [1, electionTicks - 2] so that the lease ends before a new leader can exist'
  );
  invariant(
    config.readOnlyOption !== 'leaseBased' || config.checkQuorum,
    'raft: leaseBased reads require checkQuorum (the lease is the CheckQuorum window)'
  );
  return config;
}
