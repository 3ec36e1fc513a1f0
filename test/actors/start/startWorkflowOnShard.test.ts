// Goal: startWorkflowOnShard (read → evaluate → propose → re-evaluate on conflict) on a real one-node
// ShardRuntime: a start is readable back (mutable state, events 1–2 of TEMPORAL-API.md §5.1 in order), a second
// requestId gets ALREADY_EXISTS with the first run id, the same requestId gets the same run id (also when proposed
// twice concurrently), and of two concurrent different starts exactly one wins. The conflict path is also driven
// deterministically: a shard that lets a rival start apply between a call's read and its proposal.
// Method: real LevelDBs on temp dirs (openRuntime waits for readiness; no sleeps); the deterministic case uses
// MemoryShard (the real pure apply without Raft).
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMutableState, readHistory } from '../../../src/actors/runStore/runStore.js';
import { evaluateStart } from '../../../src/actors/start/evaluateStart.js';
import type { StartRequest } from '../../../src/actors/start/startRequest.js';
import {
  START_ATTEMPTS_MAX,
  StartContentionError,
  loadStartState,
  startWorkflowOnShard,
} from '../../../src/actors/start/startWorkflowOnShard.js';
import type { StartRuntime } from '../../../src/actors/start/startWorkflowOnShard.js';
import type { ShardCommand } from '../../../src/shard/apply/shardCommand.js';
import type { ShardOutcome } from '../../../src/shard/pendingProposals.js';
import { openRuntime, tempDataDir } from '../../shard/support/runtimeHelpers.js';
import { MemoryShard } from '../runStore/memoryShard.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function runtimeOnTempDir(): Promise<Awaited<ReturnType<typeof openRuntime>>> {
  const dir = await tempDataDir();
  dirs.push(dir);
  return openRuntime(dir, { shards: 2 });
}

const request: StartRequest = {
  namespace: 'default',
  workflowId: 'order-42',
  workflowType: 'processOrder',
  taskQueue: 'orders',
  requestId: 'req-a',
  identity: '1234@host',
  workflowTaskTimeoutMs: 10_000,
  workflowRunTimeoutMs: 0,
  workflowExecutionTimeoutMs: 0,
  input: { payloads: [{ metadata: { encoding: 'json/plain' }, data: 'MQ==' }] },
};
const nowMs = 1_700_000_000_000;
const run42 = { namespace: 'default', workflowId: 'order-42', runId: 'run-1' };
const inputsFor = (runId: string): { runId: string; nowMs: number; taskIdFirst: number } => ({
  runId,
  nowMs,
  taskIdFirst: 1,
});

describe('startWorkflowOnShard on a ShardRuntime', () => {
  it('starts a run whose state and first two events read back in order; retries and rivals are answered', async () => {
    const { runtime, fatal } = await runtimeOnTempDir();
    const started = await startWorkflowOnShard(runtime, request, inputsFor('run-1'));
    expect(started).toEqual({ kind: 'started', runId: 'run-1', deduplicated: false });
    const shard = runtime.shard(runtime.shardOf('default', 'order-42'));
    const run = { namespace: 'default', workflowId: 'order-42', runId: 'run-1' };
    const { state, history } = await shard.read(async (view) => ({
      state: await loadMutableState(view, run),
      history: await readHistory(view, run, 1, 100),
    }));
    expect(state?.value).toMatchObject({ status: 'running', nextEventId: 3, executionInfo: run });
    expect(history.map((event) => [event.eventId, event.eventType])).toEqual([
      ['1', 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED'],
      ['2', 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED'],
    ]);
    expect(history[0]).toMatchObject({
      workflowExecutionStartedEventAttributes: {
        workflowType: { name: 'processOrder' },
        originalExecutionRunId: 'run-1',
        firstExecutionRunId: 'run-1',
        attempt: 1,
      },
    });

    const rival = await startWorkflowOnShard(runtime, { ...request, requestId: 'req-b' }, inputsFor('run-2'));
    expect(rival).toEqual({ kind: 'alreadyStarted', runId: 'run-1', startRequestId: 'req-a' });
    const retried = await startWorkflowOnShard(runtime, request, inputsFor('run-3'));
    expect(retried).toEqual({ kind: 'started', runId: 'run-1', deduplicated: true });
    await runtime.close();
    expect(fatal).toEqual([]);
  });

  it('the same requestId proposed twice concurrently yields one run id', async () => {
    const { runtime, fatal } = await runtimeOnTempDir();
    const results = await Promise.all([
      startWorkflowOnShard(runtime, request, inputsFor('run-x')),
      startWorkflowOnShard(runtime, request, inputsFor('run-y')),
    ]);
    const runIds = results.map((result) => (result.kind === 'started' ? result.runId : result.kind));
    expect(new Set(runIds).size).toBe(1);
    expect(['run-x', 'run-y']).toContain(runIds[0]);
    expect(results.filter((result) => result.kind === 'started' && !result.deduplicated)).toHaveLength(1);
    await runtime.close();
    expect(fatal).toEqual([]);
  });

  it('two start commands with one requestId in flight together: one applies, the other gets its run id', async () => {
    const { runtime, fatal } = await runtimeOnTempDir();
    const shard = runtime.shard(runtime.shardOf('default', 'order-42'));
    const empty = { pointer: null, current: null };
    const first = evaluateStart(request, empty, inputsFor('run-x'));
    const second = evaluateStart(request, empty, inputsFor('run-y'));
    if (first.kind !== 'start' || second.kind !== 'start') throw new Error('expected two start commands');
    // Both proposed before either applies: the second is answered by the shard's dedup, not by a re-read.
    const [a, b] = await Promise.all([shard.propose(first.command), shard.propose(second.command)]);
    expect([a.outcome, b.outcome]).toEqual(['applied', 'duplicate']);
    expect(Buffer.from(b.result)).toEqual(Buffer.from(a.result));
    const read = await shard.read((view) => loadStartState(view, 'default', 'order-42'));
    expect(read.pointer?.value.runId).toBe('run-x');
    expect(await shard.read((view) => loadMutableState(view, { ...run42, runId: 'run-y' }))).toBeNull();
    await runtime.close();
    expect(fatal).toEqual([]);
  });

  it('two different concurrent starts of one workflow id: exactly one wins, the other learns its run id', async () => {
    const { runtime, fatal } = await runtimeOnTempDir();
    const results = await Promise.all([
      startWorkflowOnShard(runtime, request, inputsFor('run-x')),
      startWorkflowOnShard(runtime, { ...request, requestId: 'req-b' }, inputsFor('run-y')),
    ]);
    const winners = results.filter((result) => result.kind === 'started');
    expect(winners).toHaveLength(1);
    const winner = winners[0];
    if (winner?.kind !== 'started') throw new Error('no winner');
    const loser = results.find((result) => result.kind !== 'started');
    expect(loser).toMatchObject({ kind: 'alreadyStarted', runId: winner.runId });
    await runtime.close();
    expect(fatal).toEqual([]);
  });
});

/** A one-shard runtime whose shard lets `rival` apply right before each of the first `rivalCount` proposals. */
function racingRuntime(shard: MemoryShard, rivals: ShardCommand[]): StartRuntime {
  return {
    shardOf: () => 0,
    shard: () => ({
      read: (fn) => shard.read(fn),
      propose: async (command: ShardCommand): Promise<ShardOutcome> => {
        const rival = rivals.shift();
        if (rival !== undefined) await shard.propose(rival);
        return shard.propose(command);
      },
    }),
  };
}

describe('startWorkflowOnShard conflict handling', () => {
  it('a start that loses the race to another requestId re-evaluates to alreadyStarted', async () => {
    const shard = new MemoryShard();
    const rival = evaluateStart({ ...request, requestId: 'req-b' }, { pointer: null, current: null }, inputsFor('r-b'));
    if (rival.kind !== 'start') throw new Error(`expected start, got ${rival.kind}`);
    const result = await startWorkflowOnShard(racingRuntime(shard, [rival.command]), request, inputsFor('r-a'));
    expect(result).toEqual({ kind: 'alreadyStarted', runId: 'r-b', startRequestId: 'req-b' });
    // Proposed: the rival, our stale start (conflict); the re-evaluation proposed nothing.
    expect(shard.proposed).toHaveLength(2);
    expect((await loadStartState(shard.view, 'default', 'order-42')).pointer?.value.runId).toBe('r-b');
  });

  it('gives up with StartContentionError after START_ATTEMPTS_MAX conflicts', async () => {
    const shard = new MemoryShard();
    let proposals = 0;
    // Every proposal meets a stale precondition (as if a rival wrote the pointer each time) and nothing applies.
    const runtime: StartRuntime = {
      shardOf: () => 0,
      shard: () => ({
        read: (fn) => shard.read(fn),
        propose: (): Promise<ShardOutcome> => {
          proposals++;
          return Promise.resolve({
            outcome: 'conflict',
            result: new Uint8Array(0),
            index: proposals,
            failedPrecondition: null,
          });
        },
      }),
    };
    await expect(startWorkflowOnShard(runtime, request, inputsFor('r-a'))).rejects.toBeInstanceOf(StartContentionError);
    expect(proposals).toBe(START_ATTEMPTS_MAX);
  });
});
