// A shard without Raft for unit tests: commands apply at once, in call order, through the real pure apply
// (applyEntriesToStore) on a MemoryStateStore; reads go through the real ShardDataView.
import type { ShardCommand } from '../../../src/shard/apply/shardCommand.js';
import { applyEntriesToStore } from '../../../src/shard/applyToStore.js';
import { MemoryStateStore } from '../../../src/shard/memoryStateStore.js';
import type { ShardOutcome } from '../../../src/shard/pendingProposals.js';
import { ShardDataView } from '../../../src/shard/shardDataView.js';
import type { ShardStore } from '../../../src/shard/stateStore.js';

export class MemoryShard {
  private readonly store: ShardStore = new MemoryStateStore().shard(0);
  private index = 0;
  readonly view = new ShardDataView(this.store);
  /** Every command proposed, in order. */
  readonly proposed: ShardCommand[] = [];

  read<T>(fn: (view: ShardDataView) => Promise<T> | T): Promise<T> {
    return Promise.resolve(fn(this.view));
  }

  async propose(command: ShardCommand): Promise<ShardOutcome> {
    this.proposed.push(command);
    const index = ++this.index;
    const [result] = await applyEntriesToStore(this.store, [
      { index, term: 1, body: { kind: 'command', proposal: { nodeId: 1, term: 1, sequence: index }, command } },
    ]);
    if (result === undefined) throw new Error('applyEntriesToStore returned no result');
    return { outcome: result.outcome, result: result.result, index, failedPrecondition: result.failedPrecondition };
  }
}
