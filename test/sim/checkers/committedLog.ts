/**
 * Log matching on committed prefixes and leader completeness (Raft paper §5.3–§5.4). The first replica seen
 * with an entry at (group, index) inside its durable committed prefix fixes that entry's term and content;
 * every replica's durable committed prefix must then agree. A new leader of term T must have every entry known
 * committed in a term below T (its last index reaches them; their content is checked as its prefix commits).
 *
 * Only the durable prefix up to the durable commit index is read: entries and the hard state carrying the
 * commit reach storage in one batch, so that prefix is committed; a replica's volatile commit may run ahead of
 * stale storage entries that its unstable log is about to replace.
 */
import type { PersistableRaftStorage } from '../../../src/raft/storage/raftStorage.js';
import type { MemoryRaftStorage } from '../../../src/raft/storage/memoryRaftStorage.js';
import { hashEntry, type ViolationLog } from './violations.js';

interface CommittedEntry {
  readonly term: number;
  readonly hash: number;
  readonly nodeId: number;
}

export class CommittedLogChecker {
  /** group → index → the committed entry first seen there. */
  private readonly committed = new Map<number, Map<number, CommittedEntry>>();
  /** Per replica incarnation (its storage object): the highest index already checked. */
  private readonly checkedUpTo = new WeakMap<object, number>();
  /** group → highest index known committed. */
  private readonly committedMax = new Map<number, number>();

  constructor(private readonly log: ViolationLog) {}

  /** Checks the durable committed prefix of one replica that is new since the last call. */
  observeReplica(
    groupId: number,
    nodeId: number,
    storage: PersistableRaftStorage & Pick<MemoryRaftStorage, 'hardState'>
  ): void {
    const replicaKey = storage;
    const upTo = Math.min(storage.hardState().commit, storage.lastIndex());
    const from = Math.max((this.checkedUpTo.get(replicaKey) ?? 0) + 1, storage.firstIndex());
    if (from > upTo) return;
    this.checkedUpTo.set(replicaKey, upTo);
    const entries = storage.entries(from, upTo + 1, Number.MAX_SAFE_INTEGER);
    const groupMap = this.groupMap(groupId);
    for (const entry of entries) {
      const hash = hashEntry(entry.term, entry.kind, entry.data);
      const known = groupMap.get(entry.index);
      if (known === undefined) {
        groupMap.set(entry.index, { term: entry.term, hash, nodeId });
        continue;
      }
      if (known.term !== entry.term || known.hash !== hash) {
        this.log.report(
          'logMatching',
          `g${groupId} index ${entry.index}: n${nodeId} has committed term ${entry.term} hash ${hash}, ` +
            `n${known.nodeId} had term ${known.term} hash ${known.hash}`
        );
      }
    }
    if (upTo > (this.committedMax.get(groupId) ?? 0)) this.committedMax.set(groupId, upTo);
  }

  /** Leader completeness: a new leader of `term` must hold every entry committed in an earlier term. */
  observeNewLeader(groupId: number, nodeId: number, term: number, lastIndex: number): void {
    const groupMap = this.groupMap(groupId);
    const max = this.committedMax.get(groupId) ?? 0;
    for (let index = max; index > lastIndex; index--) {
      const entry = groupMap.get(index);
      if (entry !== undefined && entry.term < term) {
        this.log.report(
          'leaderCompleteness',
          `g${groupId}: n${nodeId} leads term ${term} with last index ${lastIndex}, ` +
            `but index ${index} was committed in term ${entry.term}`
        );
        return;
      }
    }
  }

  committedIndexMax(groupId: number): number {
    return this.committedMax.get(groupId) ?? 0;
  }

  private groupMap(groupId: number): Map<number, CommittedEntry> {
    let map = this.committed.get(groupId);
    if (map === undefined) {
      map = new Map();
      this.committed.set(groupId, map);
    }
    return map;
  }
}
