/**
 * The pure, deterministic apply of one committed entry of a shard (docs/shard.md §1). Given the entry and a
 * synchronous read view of the shard's state, it returns the ONE batch to write atomically and the outcome.
 * It reads only the keys {@link keysToRead} names, so the caller can fetch them first; it never touches time,
 * randomness or I/O (lint-enforced for this folder).
 *
 * Rules, in order:
 * 1. The entry's index must be above the stored applied index (fail-stop: applying twice would double-bump
 *    versions). Every batch rewrites the applied state (index, term).
 * 2. A command whose requestId has a dedup record is a `duplicate`: it writes only the applied state and returns
 *    the first result.
 * 3. Any failed precondition makes the command a `conflict`: only the applied state is written and no dedup
 *    record (the engine re-evaluates and may propose again with the same requestId).
 * 4. Otherwise `applied`: each put stores (version + 1, or 1 for a new key), each delete removes the key, and a
 *    requestId gets its dedup record `{ index, outcome }`.
 * Barriers and Raft's own entries (a leader's empty no-op, conf changes) only advance the applied state.
 */
import { AssertionError, invariant } from '../../raft/core/errors.js';
import type { Entry } from '../../raft/core/types.js';
import { ShardCommandFormatError } from '../errors.js';
import type { StateWrite } from '../stateStore.js';
import { decodeShardEntry } from './shardCommand.js';
import type { ShardCommand, ShardEntry } from './shardCommand.js';
import {
  APPLIED_STATE_KEY,
  dataKey,
  decodeAppliedState,
  decodeDedupRecord,
  decodeVersionedValue,
  dedupKey,
  encodeAppliedState,
  encodeDedupRecord,
  encodeVersionedValue,
} from './stateLayout.js';

/** What a committed Raft entry means to the shard. */
export type ShardEntryBody = ShardEntry | { readonly kind: 'noop' };

export interface CommittedShardEntry {
  readonly index: number;
  readonly term: number;
  readonly body: ShardEntryBody;
}

/** Synchronous reads of shard-local keys (the caller fetched {@link keysToRead} beforehand). */
export interface ShardReadView {
  get(key: Uint8Array): Uint8Array | undefined;
}

export type ApplyOutcome = 'applied' | 'conflict' | 'duplicate';

export interface FailedPrecondition {
  readonly key: Uint8Array;
  readonly expectedVersion: number | null;
  readonly actualVersion: number | null;
}

export interface ApplyResult {
  /** One atomic batch: the writes, the dedup record and the applied state. */
  readonly batch: readonly StateWrite[];
  readonly outcome: ApplyOutcome;
  /** `applied`: the command's outcome bytes; `duplicate`: the first outcome's; otherwise empty. */
  readonly result: Uint8Array;
  /** `conflict` only: the first precondition that failed. */
  readonly failedPrecondition: FailedPrecondition | null;
}

const EMPTY = new Uint8Array(0);

/**
 * Decodes a committed Raft entry. An entry this replica cannot decode was committed by the cluster, so it cannot
 * be skipped: an unknown format version (a newer node wrote it) or a malformed body is fail-stop.
 */
export function decodeCommittedEntry(entry: Entry): CommittedShardEntry {
  if (entry.kind === 'confChange' || entry.data.length === 0) {
    return { index: entry.index, term: entry.term, body: { kind: 'noop' } };
  }
  try {
    return { index: entry.index, term: entry.term, body: decodeShardEntry(entry.data) };
  } catch (error) {
    if (!(error instanceof ShardCommandFormatError)) throw error;
    throw new AssertionError(`committed entry ${entry.index} (term ${entry.term}) cannot be applied: ${error.message}`);
  }
}

/** The shard-local keys {@link applyEntry} reads for `body`. */
export function keysToRead(body: ShardEntryBody): Uint8Array[] {
  const keys: Uint8Array[] = [APPLIED_STATE_KEY];
  if (body.kind !== 'command') return keys;
  const command = body.command;
  if (command.requestId !== null) keys.push(dedupKey(command.requestId));
  for (const precondition of command.preconditions) keys.push(dataKey(precondition.key));
  for (const write of command.writes) if (write.type === 'put') keys.push(dataKey(write.key));
  return keys;
}

function versionOf(view: ShardReadView, userKey: Uint8Array): number | null {
  const stored = view.get(dataKey(userKey));
  return stored === undefined ? null : decodeVersionedValue(stored).version;
}

/** Applies one committed entry against `view`; see the file comment for the rules. */
export function applyEntry(entry: CommittedShardEntry, view: ShardReadView): ApplyResult {
  const applied = decodeAppliedState(view.get(APPLIED_STATE_KEY));
  invariant(
    entry.index > applied.index,
    () => `entry ${entry.index} is at or below the applied index ${applied.index}: it would apply twice`
  );
  invariant(entry.term >= applied.term, () => `entry term ${entry.term} is below the applied term ${applied.term}`);
  const appliedWrite: StateWrite = {
    type: 'put',
    key: APPLIED_STATE_KEY,
    value: encodeAppliedState({ index: entry.index, term: entry.term }),
  };
  if (entry.body.kind !== 'command') {
    return { batch: [appliedWrite], outcome: 'applied', result: EMPTY, failedPrecondition: null };
  }
  return applyCommand(entry.index, entry.body.command, view, appliedWrite);
}

function applyCommand(
  index: number,
  command: ShardCommand,
  view: ShardReadView,
  appliedWrite: StateWrite
): ApplyResult {
  if (command.requestId !== null) {
    const stored = view.get(dedupKey(command.requestId));
    if (stored !== undefined) {
      const first = decodeDedupRecord(stored);
      return { batch: [appliedWrite], outcome: 'duplicate', result: first.result, failedPrecondition: null };
    }
  }
  for (const precondition of command.preconditions) {
    const actualVersion = versionOf(view, precondition.key);
    if (actualVersion !== precondition.version) {
      const failedPrecondition = { key: precondition.key, expectedVersion: precondition.version, actualVersion };
      return { batch: [appliedWrite], outcome: 'conflict', result: EMPTY, failedPrecondition };
    }
  }
  const batch: StateWrite[] = [];
  for (const write of command.writes) {
    if (write.type === 'del') {
      batch.push({ type: 'del', key: dataKey(write.key) });
      continue;
    }
    const version = (versionOf(view, write.key) ?? 0) + 1;
    batch.push({ type: 'put', key: dataKey(write.key), value: encodeVersionedValue({ version, value: write.value }) });
  }
  if (command.requestId !== null) {
    const record = encodeDedupRecord({ index, result: command.outcome });
    batch.push({ type: 'put', key: dedupKey(command.requestId), value: record });
  }
  batch.push(appliedWrite);
  return { batch, outcome: 'applied', result: command.outcome, failedPrecondition: null };
}
