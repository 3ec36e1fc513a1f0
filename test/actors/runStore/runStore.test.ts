// Goal: the run store's write builders and reads round-trip a run (mutable state, history in order, visibility,
// pointer) and its optimistic precondition refuses a write based on a stale mutable-state version.
// Method: commands built by runStore.ts apply through the real pure shard apply on an in-memory store
// (MemoryShard); transitions come from the engine (RunHarness drives a run from start).
import { describe, expect, it } from 'vitest';
import type { ShardCommand } from '../../../src/shard/apply/shardCommand.js';
import {
  currentRunWrites,
  loadCurrentRun,
  loadMutableState,
  loadVisibilityRow,
  mergeRunWrites,
  readHistory,
  runUpdateWrites,
} from '../../../src/actors/runStore/runStore.js';
import type { RunWrites } from '../../../src/actors/runStore/runStore.js';
import { terminateWorkflow } from '../../../src/actors/workflowTask/terminateWorkflow.js';
import { RunHarness } from '../workflowTask/runHarness.js';
import { MemoryShard } from './memoryShard.js';

const run = { namespace: 'default', workflowId: 'wf-1', runId: 'run-1' };

function commandOf(parts: RunWrites): ShardCommand {
  return { formatVersion: 1, requestId: null, ...parts, outcome: new Uint8Array(0), actions: [] };
}

async function startedShard(): Promise<{ shard: MemoryShard; harness: RunHarness }> {
  const shard = new MemoryShard();
  const harness = new RunHarness();
  const pointer = { formatVersion: 1 as const, runId: run.runId, startRequestId: 'req-1' };
  const parts = mergeRunWrites(
    runUpdateWrites(harness.state, harness.history, null),
    currentRunWrites(run.namespace, run.workflowId, pointer, null)
  );
  expect((await shard.propose(commandOf(parts))).outcome).toBe('applied');
  return { shard, harness };
}

describe('runStore', () => {
  it('writes a new run and reads back its state, pointer, visibility and history in order', async () => {
    const { shard, harness } = await startedShard();
    const pointer = await loadCurrentRun(shard.view, run.namespace, run.workflowId);
    expect(pointer).toEqual({ value: { formatVersion: 1, runId: 'run-1', startRequestId: 'req-1' }, version: 1 });
    const state = await loadMutableState(shard.view, run);
    expect(state).toEqual({ value: harness.state, version: 1 });
    expect(await readHistory(shard.view, run, 1, harness.state.nextEventId)).toEqual(harness.history);
    expect(await readHistory(shard.view, run, 2, 3)).toEqual([harness.history[1]]);
    const row = await loadVisibilityRow(shard.view, run);
    expect(row).toMatchObject({ runId: 'run-1', status: 'running', workflowType: 'example', closeTimeMs: null });
    expect(await loadCurrentRun(shard.view, run.namespace, 'other')).toBeNull();
    expect(await loadMutableState(shard.view, { ...run, runId: 'other' })).toBeNull();
  });

  it('appends events and replaces the state under the version read; a stale version is a conflict', async () => {
    const { shard, harness } = await startedShard();
    const read = await loadMutableState(shard.view, run);
    if (read === null) throw new Error('run not found');
    const terminated = terminateWorkflow(read.value, { reason: 'r', identity: 'me' }, harness.context());
    const update = commandOf(runUpdateWrites(terminated.state, terminated.events, read.version));
    expect((await shard.propose(update)).outcome).toBe('applied');
    // The same update again was evaluated against version 1, which is gone: refused, nothing written.
    const stale = await shard.propose(update);
    expect(stale.outcome).toBe('conflict');
    expect(stale.failedPrecondition).toMatchObject({ expectedVersion: 1, actualVersion: 2 });
    const history = await readHistory(shard.view, run, 1, 100);
    expect(history.map((event) => event.eventType)).toEqual([
      'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
      'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
      'EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED',
    ]);
    expect((await loadVisibilityRow(shard.view, run))?.status).toBe('terminated');
  });

  it('fails stop on events that do not end at the state', () => {
    const harness = new RunHarness();
    expect(() => runUpdateWrites(harness.state, harness.history.slice(1), null)).not.toThrow();
    expect(() => runUpdateWrites(harness.state, harness.history.slice(0, 1), null)).toThrow(/expected id/);
  });
});
