/**
 * One node's shard runtime (docs/shard.md §5): the Raft log DB (`<dataDir>/raft`, one {@link LevelLogDb} and its
 * log writer), the state DB (`<dataDir>/state`), one {@link MultiRaft} driven by one tick timer, and one
 * {@link Shard} per shard. Single-node for now: every shard is a group whose only voter is node 1, reached through
 * a {@link LoopbackTransport} that asserts no message ever leaves.
 *
 * Shard s (0-based) is Raft group s + 1: group 0 is reserved for the meta group (ARCHITECTURE.md §2). On first
 * start the groups are bootstrapped in one synced batch (a configuration snapshot at index 1, docs/raft.md R5);
 * later starts reopen them, each group's RawNode starting at the applied index the state DB holds.
 */
import { pino } from 'pino';
import type { Logger } from 'pino';
import { invariant } from '../../raft/core/errors.js';
import type { ProposalDroppedError } from '../../raft/core/errors.js';
import { SeededRandom } from '../../raft/core/random.js';
import { RawNode } from '../../raft/core/rawNode.js';
import type { HardState, NodeId, Snapshot } from '../../raft/core/types.js';
import { EMPTY_BYTES, NONE } from '../../raft/core/types.js';
import { MultiRaft } from '../../raft/multiRaft.js';
import type { GroupUpdate } from '../../raft/multiRaft.js';
import { LevelLogDb } from '../../raft/storage/levelLogDb.js';
import { LevelRaftStorage } from '../../raft/storage/levelRaftStorage.js';
import type { GroupPersist, RaftPersistOps } from '../../raft/storage/raftStorage.js';
import { APPLIED_STATE_KEY, decodeAppliedState } from '../apply/stateLayout.js';
import { ShardCountMismatchError } from '../errors.js';
import { LevelStateStore } from '../levelStateStore.js';
import { Shard } from '../shard.js';
import { shardOf } from '../shardOf.js';
import { COMPACTION_ENTRIES_DEFAULT, LogCompactor } from './logCompactor.js';
import type { CompactedGroup } from './logCompactor.js';
import { LoopbackTransport } from './loopbackTransport.js';

export const SHARDS_DEFAULT = 8;
/** One tick every 100 ms: elections after 10–20 ticks (1–2 s), heartbeats every tick (etcd's defaults). */
export const TICK_MS_DEFAULT = 100;
export const ELECTION_TICKS_DEFAULT = 10;
export const HEARTBEAT_TICKS_DEFAULT = 1;
/** The single-node runtime's node id. */
export const SINGLE_NODE_ID: NodeId = 1;
/** Index of the bootstrap configuration snapshot: it carries no state, so an empty state DB may sit below it. */
const BOOTSTRAP_INDEX = 1;

export interface ShardRuntimeOptions {
  readonly dataDir: string;
  /** Shards to bootstrap on first start (default 8); on restart, must match the stored count if given. */
  readonly shards?: number;
  readonly tickMs?: number;
  readonly electionTicks?: number;
  readonly heartbeatTicks?: number;
  /** Applied entries between two compactions of a group's log (default 10,000). */
  readonly compactionEntries?: number;
  readonly pendingProposalsMax?: number;
  /** Ticks a read may wait for its read index (default 20: Shard's READ_INDEX_TIMEOUT_TICKS_DEFAULT). */
  readonly readIndexTimeoutTicks?: number;
  readonly logger?: Logger;
  /**
   * Called once on a fatal error (the log writer failed, an invariant broke): the node must stop. Default: log it
   * and exit the process with code 70, since continuing could acknowledge what is not durable.
   */
  readonly onFatal?: (error: unknown) => void;
}

/** The bootstrap record of a fresh single-voter group (as bench/raft/benchNode.ts): configuration at index 1. */
function bootstrapOps(): RaftPersistOps {
  const snapshot: Snapshot = {
    metadata: { index: BOOTSTRAP_INDEX, term: 1, confState: { voters: [SINGLE_NODE_ID], learners: [] } },
    data: EMPTY_BYTES,
  };
  const hardState: HardState = { term: 1, vote: NONE, commit: BOOTSTRAP_INDEX };
  return { snapshot, entries: [], hardState };
}

interface HostedShard extends CompactedGroup {
  readonly groupId: number;
}

export class ShardRuntime {
  private tickTimer: NodeJS.Timeout | null = null;
  private readonly hosted = new Map<number, HostedShard>();
  private closing: Promise<void> | null = null;
  private fatalError: unknown = undefined;

  private constructor(
    private readonly logDb: LevelLogDb,
    private readonly stateDb: LevelStateStore,
    readonly multiRaft: MultiRaft,
    private readonly compactor: LogCompactor,
    private readonly logger: Logger,
    private readonly onFatalOption: (error: unknown) => void
  ) {}

  /** Opens (bootstrapping on first start) the runtime under `options.dataDir` and starts ticking. */
  static async open(options: ShardRuntimeOptions): Promise<ShardRuntime> {
    const logger = options.logger ?? pino({ name: 'cairn-shard' });
    const onFatal = options.onFatal ?? defaultOnFatal(logger);
    const logDb = await LevelLogDb.open(options.dataDir);
    let stateDb: LevelStateStore | null = null;
    let storages: LevelRaftStorage[];
    try {
      stateDb = await LevelStateStore.open(options.dataDir);
      storages = await openGroups(logDb, options.shards ?? SHARDS_DEFAULT, options.shards !== undefined);
    } catch (error) {
      // A refused start (e.g. ShardCountMismatchError) leaves nothing open.
      await logDb.close();
      await stateDb?.close();
      throw error;
    }
    let runtime: ShardRuntime | null = null;
    const fail = (error: unknown): void => runtime?.fail(error);
    const multiRaft = new MultiRaft({
      logWriter: logDb.logWriter,
      transport: new LoopbackTransport(),
      applier: { apply: (groupId, update) => runtime?.applyGroup(groupId, update) },
      onFatal: fail,
      onProposalsDropped: (groupId, datas, error) => runtime?.proposalsDropped(groupId, datas, error),
    });
    const compactor = new LogCompactor(options.compactionEntries ?? COMPACTION_ENTRIES_DEFAULT, fail, logger);
    runtime = new ShardRuntime(logDb, stateDb, multiRaft, compactor, logger, onFatal);
    for (const [shardId, storage] of storages.entries()) await runtime.openShard(shardId, storage, options);
    runtime.start(options.tickMs ?? TICK_MS_DEFAULT);
    return runtime;
  }

  private async openShard(shardId: number, storage: LevelRaftStorage, options: ShardRuntimeOptions): Promise<void> {
    const groupId = shardId + 1;
    const store = this.stateDb.shard(shardId);
    const applied = decodeAppliedState(await store.get(APPLIED_STATE_KEY));
    const compacted = storage.firstIndex() - 1;
    const commit = storage.hardState().commit;
    invariant(
      applied.index >= compacted || compacted === BOOTSTRAP_INDEX,
      () => `shard ${shardId}: state applied index ${applied.index} is below the log's compaction point ${compacted}`
    );
    invariant(applied.index <= commit, () => `shard ${shardId}: applied ${applied.index} beyond commit ${commit}`);
    const rawNode = new RawNode({
      id: SINGLE_NODE_ID,
      storage,
      applied: applied.index,
      // Fixed seed per group: elections are reproducible; with one voter the timeout hardly matters.
      random: new SeededRandom(groupId),
      electionTicks: options.electionTicks ?? ELECTION_TICKS_DEFAULT,
      heartbeatTicks: options.heartbeatTicks ?? HEARTBEAT_TICKS_DEFAULT,
      // Only a ready leader proposes; a proposal that finds the node no longer leader is refused, never forwarded.
      disableProposalForwarding: true,
    });
    const shard = new Shard({
      shardId,
      groupId,
      nodeId: SINGLE_NODE_ID,
      store,
      multiRaft: this.multiRaft,
      applied,
      pendingProposalsMax: options.pendingProposalsMax,
      readIndexTimeoutTicks: options.readIndexTimeoutTicks,
      logger: this.logger,
    });
    this.hosted.set(groupId, { groupId, shard, store, storage, rawNode });
    this.multiRaft.addGroup(groupId, rawNode, storage);
    // The only voter need not wait an election timeout: it campaigns at once.
    this.multiRaft.withGroup(groupId, (node) => node.campaign());
  }

  private start(tickMs: number): void {
    this.tickTimer = setInterval(() => {
      this.multiRaft.tick();
      for (const hosted of this.hosted.values()) hosted.shard.tick();
    }, tickMs);
  }

  /** Number of shards of this node. */
  get shardCount(): number {
    return this.hosted.size;
  }

  /** Shard `shardId` (0-based); throws on an unknown id. */
  shard(shardId: number): Shard {
    const hosted = this.hosted.get(shardId + 1);
    if (hosted === undefined)
      throw new RangeError(`no shard ${shardId}: this node has shards 0..${this.shardCount - 1}`);
    return hosted.shard;
  }

  /** The shard of workflow `workflowId` in `namespace` (shardOf.ts). */
  shardOf(namespace: string, workflowId: string): number {
    return shardOf(namespace, workflowId, this.shardCount);
  }

  /** Number of log compactions completed since open. */
  get compactions(): number {
    return this.compactor.compactions;
  }

  /** The Raft storage of shard `shardId` (tests and tools read the log back). */
  raftStorage(shardId: number): LevelRaftStorage {
    const hosted = this.hosted.get(shardId + 1);
    if (hosted === undefined) throw new RangeError(`no shard ${shardId}`);
    return hosted.storage;
  }

  private async applyGroup(groupId: number, update: GroupUpdate): Promise<void> {
    const hosted = this.hosted.get(groupId);
    invariant(hosted !== undefined, () => `update for group ${groupId}, which this runtime does not host`);
    await hosted.shard.apply(update);
    if (this.closing === null) this.compactor.maybeCompact(hosted);
  }

  private proposalsDropped(groupId: number, datas: readonly Uint8Array[], error: ProposalDroppedError): void {
    this.hosted.get(groupId)?.shard.onProposalsDropped(datas, error);
  }

  private fail(error: unknown): void {
    if (this.fatalError !== undefined) return;
    this.fatalError = error;
    this.logger.fatal({ err: error }, 'shard runtime failed');
    this.stopTicking();
    this.multiRaft.stop();
    const reason = error instanceof Error ? error : new Error(String(error));
    for (const hosted of this.hosted.values()) hosted.shard.close(reason);
    this.onFatalOption(error);
  }

  private stopTicking(): void {
    if (this.tickTimer !== null) clearInterval(this.tickTimer);
    this.tickTimer = null;
  }

  /**
   * Stops ticking, closes every shard's gate (in-flight requests fail with ShardClosedError), lets the driver
   * finish what is committed, waits for compactions, then closes both DBs. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    this.stopTicking();
    for (const hosted of this.hosted.values()) hosted.shard.close();
    if (this.fatalError === undefined) {
      try {
        await this.multiRaft.idle();
      } catch {
        // The fatal error was reported through onFatal already; the DBs still get closed.
      }
    }
    this.multiRaft.stop();
    await this.compactor.drain();
    await this.logDb.close();
    await this.stateDb.close();
  }
}

function defaultOnFatal(logger: Logger): (error: unknown) => void {
  return (error) => {
    logger.fatal({ err: error }, 'fatal error: exiting');
    process.exit(70);
  };
}

/**
 * Opens the Raft storage of every shard's group (index = shard id). An empty log DB is bootstrapped with
 * `shards` groups in one synced batch; otherwise the stored groups must be 1..n (and n = `shards` if given).
 */
async function openGroups(logDb: LevelLogDb, shards: number, shardsGiven: boolean): Promise<LevelRaftStorage[]> {
  invariant(Number.isSafeInteger(shards) && shards > 0, () => `shards must be a positive integer, got ${shards}`);
  const groupIds = await logDb.groupIds();
  const fresh = groupIds.length === 0;
  if (!fresh) {
    invariant(
      groupIds.every((groupId, position) => groupId === position + 1),
      () => `the log DB holds groups ${groupIds.join(',')}, expected 1..${groupIds.length}`
    );
    if (shardsGiven && groupIds.length !== shards) throw new ShardCountMismatchError(groupIds.length, shards);
  }
  const count = fresh ? shards : groupIds.length;
  const storages: LevelRaftStorage[] = [];
  for (let shardId = 0; shardId < count; shardId++) storages.push(await LevelRaftStorage.open(logDb, shardId + 1));
  if (fresh) {
    const writes: GroupPersist[] = storages.map((storage) => ({ groupId: storage.groupId, ops: bootstrapOps() }));
    await logDb.logWriter.persist(writes);
    for (const [shardId, storage] of storages.entries()) storage.applyPersisted((writes[shardId] as GroupPersist).ops);
  }
  return storages;
}
