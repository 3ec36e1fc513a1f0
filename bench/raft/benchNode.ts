/**
 * One Cairn node as the benchmark runs it: its own LevelDB (one per node for all groups) with the node-wide
 * LogWriter, one MultiRaft driving every group, and one tick timer for all groups (STYLE.md rule 3).
 */
import { join } from 'node:path';
import { SeededRandom } from '../../src/raft/core/random.js';
import { RawNode } from '../../src/raft/core/rawNode.js';
import type { HardState, NodeId, Snapshot } from '../../src/raft/core/types.js';
import { EMPTY_BYTES, NONE } from '../../src/raft/core/types.js';
import { MultiRaft } from '../../src/raft/multiRaft.js';
import { LevelLogDb } from '../../src/raft/storage/levelLogDb.js';
import { LevelRaftStorage } from '../../src/raft/storage/levelRaftStorage.js';
import type { GroupPersist, RaftPersistOps } from '../../src/raft/storage/raftStorage.js';
import type { InProcessNetwork } from './inProcessNetwork.js';
import type { ProposalTracker } from './proposalTracker.js';

export interface BenchRaftOptions {
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
}

export interface BenchNodeOptions {
  readonly nodeId: NodeId;
  /** The cluster's data directory; the node uses `<dataDir>/node<id>`. */
  readonly dataDir: string;
  readonly groupIds: readonly number[];
  readonly voterIds: readonly NodeId[];
  readonly network: InProcessNetwork;
  readonly tracker: ProposalTracker;
  readonly raft: BenchRaftOptions;
  /** Called once if the node's driver fails; the benchmark cannot continue. */
  readonly onFatal: (nodeId: NodeId, error: unknown) => void;
}

/**
 * The bootstrap record of a fresh group: a snapshot at index 1, term 1, carrying the voters, as etcd tests seed
 * a MemoryStorage. Every member writes the same one, so all start from an identical log and no conf-change
 * entries need to be replayed.
 */
function bootstrapOps(voterIds: readonly NodeId[]): RaftPersistOps {
  const snapshot: Snapshot = {
    metadata: { index: 1, term: 1, confState: { voters: [...voterIds], learners: [] } },
    data: EMPTY_BYTES,
  };
  const hardState: HardState = { term: 1, vote: NONE, commit: 1 };
  return { snapshot, entries: [], hardState };
}

export class BenchNode {
  private tickTimer: NodeJS.Timeout | null = null;

  private constructor(
    readonly id: NodeId,
    readonly db: LevelLogDb,
    readonly multiRaft: MultiRaft
  ) {}

  /** Opens the node's DB, bootstraps every group in one synced batch, and starts driving them. */
  static async open(options: BenchNodeOptions): Promise<BenchNode> {
    const db = await LevelLogDb.open(join(options.dataDir, `node${options.nodeId}`));
    const multiRaft = new MultiRaft({
      logWriter: db.logWriter,
      transport: options.network.transportFor(options.nodeId),
      applier: options.tracker.applierFor(options.nodeId),
      onFatal: (error) => options.onFatal(options.nodeId, error),
    });
    const storages = new Map<number, LevelRaftStorage>();
    for (const groupId of options.groupIds) storages.set(groupId, await LevelRaftStorage.open(db, groupId));
    const writes: GroupPersist[] = [];
    for (const [groupId, storage] of storages) {
      if (storage.lastIndex() === 0) writes.push({ groupId, ops: bootstrapOps(options.voterIds) });
    }
    if (writes.length > 0) await db.logWriter.persist(writes);
    for (const write of writes) storages.get(write.groupId)?.applyPersisted(write.ops);
    for (const [groupId, storage] of storages) {
      const rawNode = new RawNode({
        id: options.nodeId,
        storage,
        // Fixed seeds: the randomized election timeouts are the same on every run.
        random: new SeededRandom(options.nodeId * 1_000_003 + groupId),
        electionTicks: options.raft.electionTicks,
        heartbeatTicks: options.raft.heartbeatTicks,
      });
      multiRaft.addGroup(groupId, rawNode, storage);
    }
    const node = new BenchNode(options.nodeId, db, multiRaft);
    options.network.register(options.nodeId, (groupId, message) => multiRaft.step(groupId, message));
    return node;
  }

  /** One timer ticks every group of the node every `tickMs`. */
  startTicking(tickMs: number): void {
    if (this.tickTimer !== null) throw new Error(`node ${this.id} is already ticking`);
    this.tickTimer = setInterval(() => this.multiRaft.tick(), tickMs);
  }

  /** The node's RawNode of `groupId`; throws if the group is not hosted here. */
  rawNode(groupId: number): RawNode {
    const rawNode = this.multiRaft.rawNode(groupId);
    if (rawNode === undefined) throw new Error(`node ${this.id} does not host group ${groupId}`);
    return rawNode;
  }

  /** Stops ticking and driving, waits for the log writer to drain, closes the DB. */
  async close(): Promise<void> {
    if (this.tickTimer !== null) clearInterval(this.tickTimer);
    this.tickTimer = null;
    this.multiRaft.stop();
    await this.db.close();
  }
}
