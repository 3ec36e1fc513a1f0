// A tiny model store for pure-apply tests: a Map of shard-local keys, updated with each ApplyResult's batch.
import { applyEntry } from '../../../src/shard/apply/apply.js';
import type { ApplyResult, CommittedShardEntry, ShardEntryBody } from '../../../src/shard/apply/apply.js';
import type { ShardCommand } from '../../../src/shard/apply/shardCommand.js';
import { dataKey, decodeVersionedValue } from '../../../src/shard/apply/stateLayout.js';
import type { VersionedValue } from '../../../src/shard/apply/stateLayout.js';
import { bytesOf } from '../support/commands.js';

const hexOf = (key: Uint8Array): string => Buffer.from(key).toString('hex');

export class ApplyModel {
  readonly values = new Map<string, Uint8Array>();
  index = 1;
  term = 2;

  get(key: Uint8Array): Uint8Array | undefined {
    return this.values.get(hexOf(key));
  }

  /** Applies the next entry (index + 1) and writes its batch; returns the result. */
  apply(body: ShardEntryBody, term = this.term): ApplyResult {
    const entry: CommittedShardEntry = { index: ++this.index, term, body };
    const result = applyEntry(entry, this);
    for (const op of result.batch) {
      if (op.type === 'put') this.values.set(hexOf(op.key), op.value);
      else this.values.delete(hexOf(op.key));
    }
    return result;
  }

  command(command: ShardCommand): ApplyResult {
    return this.apply({ kind: 'command', proposal: { nodeId: 1, term: this.term, sequence: this.index }, command });
  }

  user(key: string): VersionedValue | undefined {
    const stored = this.get(dataKey(bytesOf(key)));
    return stored === undefined ? undefined : decodeVersionedValue(stored);
  }

  /** A snapshot of every key and value, hex-encoded, for equality checks. */
  dump(): [string, string][] {
    return [...this.values].map(([key, value]): [string, string] => [key, hexOf(value)]).sort();
  }
}
