// Builders of ShardCommands for tests.
import type { ShardCommand, ShardPrecondition } from '../../../src/shard/apply/shardCommand.js';
import type { StateWrite } from '../../../src/shard/stateStore.js';

const utf8 = new TextEncoder();

export const bytesOf = (text: string): Uint8Array => utf8.encode(text);
export const textOf = (bytes: Uint8Array | undefined): string | undefined =>
  bytes === undefined ? undefined : new TextDecoder().decode(bytes);

export function command(fields: {
  requestId?: string | null;
  preconditions?: ShardPrecondition[];
  writes?: StateWrite[];
  outcome?: string;
  actions?: Uint8Array[];
}): ShardCommand {
  return {
    formatVersion: 1,
    requestId: fields.requestId ?? null,
    preconditions: fields.preconditions ?? [],
    writes: fields.writes ?? [],
    outcome: bytesOf(fields.outcome ?? ''),
    actions: fields.actions ?? [],
  };
}

export const put = (key: string, value: string): StateWrite => ({
  type: 'put',
  key: bytesOf(key),
  value: bytesOf(value),
});
export const del = (key: string): StateWrite => ({ type: 'del', key: bytesOf(key) });
export const requires = (key: string, version: number | null): ShardPrecondition => ({ key: bytesOf(key), version });
