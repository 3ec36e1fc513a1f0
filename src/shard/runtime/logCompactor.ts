/**
 * Raft log compaction for the shards of a node (ARCHITECTURE.md §3): every `compactionEntries` applied entries,
 * 1. write the durable mark with `sync: true` — LevelDB's synced write also makes every earlier write durable, so
 *    the state DB is then durable up to the shard's applied index at that moment;
 * 2. record a Raft snapshot at that index (data empty for now) and compact the log up to it.
 * So the log is never truncated past the applied index known durable in `state/`. The snapshot's data is empty
 * because every group has one voter and no follower ever needs it; a follower catch-up snapshot (a scan of the
 * shard's range in `state/`, docs/shard.md §4) arrives with the multi-node issue.
 */
import type { Logger } from 'pino';
import { EMPTY_BYTES } from '../../raft/core/types.js';
import type { RawNode } from '../../raft/core/rawNode.js';
import type { LevelRaftStorage } from '../../raft/storage/levelRaftStorage.js';
import { DURABLE_MARK_KEY, encodeAppliedState } from '../apply/stateLayout.js';
import type { Shard } from '../shard.js';
import type { ShardStore } from '../stateStore.js';

/** Default number of applied entries between two compactions of a group's log. */
export const COMPACTION_ENTRIES_DEFAULT = 10_000;

export interface CompactedGroup {
  readonly shard: Shard;
  readonly store: ShardStore;
  readonly storage: LevelRaftStorage;
  readonly rawNode: RawNode;
}

export class LogCompactor {
  /** Per group: the index the log is compacted to, and the compaction in flight. */
  private readonly compactedIndex = new Map<number, number>();
  private readonly inFlight = new Map<number, Promise<void>>();
  /** Number of compactions completed (for tests and stats). */
  compactions = 0;

  constructor(
    private readonly compactionEntries: number,
    private readonly onFatal: (error: unknown) => void,
    private readonly logger: Logger
  ) {}

  /** Starts a compaction of `group` in the background if enough entries were applied since the last one. */
  maybeCompact(group: CompactedGroup): void {
    const groupId = group.shard.groupId;
    if (this.inFlight.has(groupId)) return;
    const compacted = this.compactedIndex.get(groupId) ?? group.storage.firstIndex() - 1;
    if (group.shard.applied.index - compacted < this.compactionEntries) return;
    const running = this.compact(group)
      .catch((error: unknown) => this.onFatal(error))
      .finally(() => this.inFlight.delete(groupId));
    this.inFlight.set(groupId, running);
  }

  private async compact(group: CompactedGroup): Promise<void> {
    // Index and configuration are taken together, before any await: later applies may move both.
    const applied = group.shard.applied;
    const confState = group.rawNode.raft.tracker.confState();
    await group.store.writeBatch([{ type: 'put', key: DURABLE_MARK_KEY, value: encodeAppliedState(applied) }], {
      sync: true,
    });
    if (applied.index > group.storage.snapshot().metadata.index) {
      await group.storage.createSnapshot(applied.index, confState, EMPTY_BYTES);
    }
    if (applied.index > group.storage.firstIndex() - 1) await group.storage.compact(applied.index);
    this.compactedIndex.set(group.shard.groupId, applied.index);
    this.compactions++;
    this.logger.debug({ shardId: group.shard.shardId, index: applied.index }, 'raft log compacted');
  }

  /** Waits for every compaction in flight. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight.values()]);
  }
}
