// Goal: listActiveRuns returns exactly the runs the leader must track — the open ones, scheduled or started, not the
// closed ones, nor the other run keys: pointers, events, visibility rows — with their states, and paging through it
// with any page size yields the same runs as one page.
// Method: runs in several phases are written through the real run-store write builders and pure shard apply on
// an in-memory store (MemoryShard); the scan reads through the real ShardDataView.
import { describe, expect, it } from 'vitest';
import type { MutableState } from '../../../src/actors/mutableState/mutableState.js';
import { currentRunWrites, mergeRunWrites, runUpdateWrites } from '../../../src/actors/runStore/runStore.js';
import { listActiveRuns } from '../../../src/actors/runStore/scanRuns.js';
import { terminateWorkflow } from '../../../src/actors/workflowTask/terminateWorkflow.js';
import { RunHarness } from '../workflowTask/runHarness.js';
import { MemoryShard } from './memoryShard.js';

/** `state` renamed to another run and task queue. */
function renamed(state: MutableState, workflowId: string, taskQueue: string): MutableState {
  const runId = `${workflowId}-run`;
  return { ...state, executionInfo: { ...state.executionInfo, workflowId, runId, taskQueue } };
}

/** A shard holding three scheduled runs, one started, one closed, each with its pointer, history and row. */
async function mixedShard(): Promise<MemoryShard> {
  const shard = new MemoryShard();
  const scheduled = new RunHarness();
  const started = new RunHarness();
  started.poll();
  const closed = new RunHarness();
  closed.apply((state, context) => terminateWorkflow(state, { reason: 'r', identity: 'me' }, context));
  const states = [
    renamed(scheduled.state, 'wf-b', 'q1'),
    renamed(started.state, 'wf-c', 'q1'),
    renamed(scheduled.state, 'wf-a', 'q2'),
    renamed(closed.state, 'wf-d', 'q1'),
    renamed(scheduled.state, 'wf-e', 'q1'),
  ];
  for (const state of states) {
    const { namespace, workflowId, runId } = state.executionInfo;
    const pointer = { formatVersion: 1 as const, runId, startRequestId: `req-${workflowId}` };
    const parts = mergeRunWrites(
      runUpdateWrites(state, [], null),
      currentRunWrites(namespace, workflowId, pointer, null)
    );
    const command = { formatVersion: 1 as const, requestId: null, ...parts, outcome: new Uint8Array(0), actions: [] };
    expect((await shard.propose(command)).outcome).toBe('applied');
  }
  return shard;
}

/** The open runs in key order, with their phase, as the scan must return them. */
const expected = [
  ['wf-a', 'q2', 'scheduled'],
  ['wf-b', 'q1', 'scheduled'],
  ['wf-c', 'q1', 'started'],
  ['wf-e', 'q1', 'scheduled'],
];

/** What the tests compare: workflow id, task queue and task phase of each state. */
function summary(states: readonly MutableState[]): string[][] {
  return states.map((state) => [
    state.executionInfo.workflowId,
    state.executionInfo.taskQueue,
    state.workflowTask.phase,
  ]);
}

describe('listActiveRuns', () => {
  it('returns only open runs, in key order, with their states', async () => {
    const shard = await mixedShard();
    const page = await listActiveRuns(shard.view, null, 100);
    expect(summary(page.states)).toEqual(expected);
    expect(page.afterKey).toBeNull();
  });

  it('pages through the active runs, each page reading at most entriesMax of them', async () => {
    const shard = await mixedShard();
    for (const entriesMax of [1, 2, 3, 4, 5]) {
      const states: MutableState[] = [];
      let afterKey: Uint8Array | null = null;
      let pages = 0;
      do {
        const page = await listActiveRuns(shard.view, afterKey, entriesMax);
        expect(page.states.length).toBeLessThanOrEqual(entriesMax);
        states.push(...page.states);
        afterKey = page.afterKey;
        pages++;
      } while (afterKey !== null);
      expect(summary(states)).toEqual(expected);
      // Four active runs: ⌈4 / entriesMax⌉ pages, plus an empty last one when the page size divides 4.
      expect(pages).toBe(Math.floor(4 / entriesMax) + 1);
    }
  });

  it('finds nothing in an empty shard', async () => {
    const page = await listActiveRuns(new MemoryShard().view, null, 10);
    expect(page).toEqual({ states: [], afterKey: null });
  });
});
