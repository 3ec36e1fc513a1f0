// A Shard over a real RawNode and MultiRaft with in-memory storages, driven by hand: ticks are explicit and the
// log writer can be held, so that tests decide exactly what is durable when (no timers, no timing).
import { pino } from 'pino';
import { SeededRandom } from '../../../src/raft/core/random.js';
import { RawNode } from '../../../src/raft/core/rawNode.js';
import type { Message } from '../../../src/raft/core/types.js';
import { EMPTY_BYTES, NONE } from '../../../src/raft/core/types.js';
import { MultiRaft } from '../../../src/raft/multiRaft.js';
import { MemoryRaftStorage } from '../../../src/raft/storage/memoryRaftStorage.js';
import type { GroupPersist, RaftLogWriter } from '../../../src/raft/storage/raftStorage.js';
import { MemoryStateStore } from '../../../src/shard/memoryStateStore.js';
import { Shard } from '../../../src/shard/shard.js';

export const silentLogger = pino({ level: 'silent' });

/** A log writer that persists at once, or holds every write while `held` until `release()`. */
export class HoldableLogWriter implements RaftLogWriter {
  held = false;
  private waiting: (() => void)[] = [];
  persisted = 0;

  persist(_writes: readonly GroupPersist[]): Promise<void> {
    this.persisted++;
    if (!this.held) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Writes waiting for `release()`. */
  get heldWrites(): number {
    return this.waiting.length;
  }

  release(): void {
    this.held = false;
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }
}

export interface ShardHarness {
  readonly shard: Shard;
  readonly rawNode: RawNode;
  readonly multiRaft: MultiRaft;
  readonly store: MemoryStateStore;
  readonly writer: HoldableLogWriter;
  readonly storage: MemoryRaftStorage;
  /** Messages the node tried to send (it has no peers; only tests that inject foreign messages see any). */
  readonly sent: Message[];
  readonly fatal: unknown[];
}

export const SHARD_ID = 0;
export const GROUP_ID = 1;

/** A single-voter group (node 1), bootstrapped as the runtime does, with its shard; not yet campaigning. */
export function createShardHarness(options: { pendingProposalsMax?: number } = {}): ShardHarness {
  const storage = new MemoryRaftStorage();
  storage.applyPersisted({
    snapshot: { metadata: { index: 1, term: 1, confState: { voters: [1], learners: [] } }, data: EMPTY_BYTES },
    entries: [],
    hardState: { term: 1, vote: NONE, commit: 1 },
  });
  const writer = new HoldableLogWriter();
  const sent: Message[] = [];
  const fatal: unknown[] = [];
  let shard: Shard | null = null;
  const multiRaft = new MultiRaft({
    logWriter: writer,
    transport: { send: (_groupId, messages) => sent.push(...messages) },
    applier: { apply: (_groupId, update) => shard?.apply(update) },
    onFatal: (error) => fatal.push(error),
    onProposalsDropped: (_groupId, datas, error) => shard?.onProposalsDropped(datas, error),
  });
  const rawNode = new RawNode({ id: 1, storage, random: new SeededRandom(7), disableProposalForwarding: true });
  const store = new MemoryStateStore();
  shard = new Shard({
    shardId: SHARD_ID,
    groupId: GROUP_ID,
    nodeId: 1,
    store: store.shard(SHARD_ID),
    multiRaft,
    applied: { index: 0, term: 0 },
    pendingProposalsMax: options.pendingProposalsMax,
    logger: silentLogger,
  });
  multiRaft.addGroup(GROUP_ID, rawNode, storage);
  return { shard, rawNode, multiRaft, store, writer, storage, sent, fatal };
}

/** Ticks (up to `ticksMax`) until the shard is ready; throws if it never becomes ready. */
export async function tickUntilReady(harness: ShardHarness, ticksMax = 100): Promise<void> {
  for (let tick = 0; tick < ticksMax && !harness.shard.isReady; tick++) {
    harness.multiRaft.tick();
    harness.shard.tick();
    await harness.multiRaft.idle();
  }
  if (!harness.shard.isReady) throw new Error(`shard not ready after ${ticksMax} ticks`);
}
