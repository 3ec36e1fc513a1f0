/**
 * The storage of an interaction node: MemoryRaftStorage whose `snapshot()` (what a leader sends to a follower
 * that needs one) is the node's current applied state, as etcd-raft's interaction environment does with its
 * `snapOverrideStorage`, and as Cairn's shards do (a snapshot is a scan of the applied state, ARCHITECTURE.md
 * §4). Without it, a leader would send the bootstrap snapshot, whose configuration predates any node added
 * since, and such a node refuses a snapshot that does not contain it.
 */
import type { Snapshot } from '../../../src/raft/core/types.js';
import type { MemoryRaftStorageOptions } from '../../../src/raft/storage/memoryRaftStorage.js';
import { MemoryRaftStorage } from '../../../src/raft/storage/memoryRaftStorage.js';

export class InteractionStorage extends MemoryRaftStorage {
  /** Set once the node exists; until then the stored snapshot is used. */
  appliedSnapshot: (() => Snapshot) | undefined = undefined;

  constructor(options: MemoryRaftStorageOptions) {
    super(options);
  }

  override snapshot(): Snapshot {
    return this.appliedSnapshot === undefined ? super.snapshot() : this.appliedSnapshot();
  }
}
