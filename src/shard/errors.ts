/**
 * Typed errors of the shard layer. Retryable ones (`retryable = true`) map to UNAVAILABLE for clients: the
 * caller retries, with the same requestId, possibly on another node.
 */
import { NONE } from '../raft/core/types.js';
import type { NodeId } from '../raft/core/types.js';

/** This node cannot serve the shard now: not the leader, not ready yet, or leadership was lost in flight. */
export class NotLeaderError extends Error {
  override readonly name = 'NotLeaderError';
  readonly retryable = true;
  constructor(
    readonly shardId: number,
    /** The leader this node knows of, or NONE (0). */
    readonly leaderHint: NodeId,
    readonly reason: string
  ) {
    super(
      `shard ${shardId}: not the ready leader (${reason}); retry ${leaderHint === NONE ? 'later' : `on node ${leaderHint}`} with the same requestId`
    );
  }
}

/** Too many proposals are in flight on the shard (`pendingProposalsMax`): shed load and retry later. */
export class ShardBackpressureError extends Error {
  override readonly name = 'ShardBackpressureError';
  readonly retryable = true;
  constructor(
    readonly shardId: number,
    readonly reason: string
  ) {
    super(`shard ${shardId}: overloaded (${reason}); retry later`);
  }
}

/** The shard or its runtime is closing or closed; nothing more is accepted. */
export class ShardClosedError extends Error {
  override readonly name = 'ShardClosedError';
  readonly retryable = true;
  constructor(readonly shardId: number) {
    super(`shard ${shardId}: the node is shutting down; retry on another node`);
  }
}

/** Bytes that are not a well-formed shard entry, or a command with a bad shape (bad input, not a broken invariant). */
export class ShardCommandFormatError extends Error {
  override readonly name = 'ShardCommandFormatError';
  constructor(readonly reason: string) {
    super(`malformed shard command: ${reason}`);
  }
}

/** The data directory holds a different number of shards than requested. */
export class ShardCountMismatchError extends Error {
  override readonly name = 'ShardCountMismatchError';
  constructor(
    readonly storedShards: number,
    readonly requestedShards: number
  ) {
    super(
      `the data directory holds ${storedShards} shards but ${requestedShards} were requested; the shard count is fixed at bootstrap: omit the option or use an empty data directory`
    );
  }
}
