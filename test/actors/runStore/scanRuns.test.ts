// Goal: listRunsWithScheduledWorkflowTask returns exactly the open runs whose workflow task is scheduled (not the
// started, closed ones, nor the other run keys: pointers, events, visibility rows), with their task queue, and
// paging through it with any page size yields the same runs as one page.
// Method: runs in several phases are written through the real run-store write builders and pure shard apply on
// an in-memory store (MemoryShard); the scan reads through the real ShardDataView.
import { describe, expect, it } from 'vitest';
import type { MutableState } from '../../../src/actors/mutableState/mutableState.js';
import { currentRunWrites, mergeRunWrites, runUpdateWrites } from '../../../src/actors/runStore/runStore.js';
import { listRunsWithScheduledWorkflowTask } from '../../../src/actors/runStore/scanRuns.js';
import type { ScheduledRun } from '../../../src/actors/runStore/scanRuns.js';
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

const expected: ScheduledRun[] = [
  { run: { namespace: 'default', workflowId: 'wf-a', runId: 'wf-a-run' }, taskQueue: 'q2' },
  { run: { namespace: 'default', workflowId: 'wf-b', runId: 'wf-b-run' }, taskQueue: 'q1' },
  { run: { namespace: 'default', workflowId: 'wf-e', runId: 'wf-e-run' }, taskQueue: 'q1' },
];

describe('listRunsWithScheduledWorkflowTask', () => {
  it('returns only open runs with a scheduled task, in key order, with their task queue', async () => {
    const shard = await mixedShard();
    const page = await listRunsWithScheduledWorkflowTask(shard.view, null, 100);
    expect(page.runs).toEqual(expected);
    expect(page.afterKey).toBeNull();
  });

  it('pages through the mutable states, each page reading at most entriesMax of them', async () => {
    const shard = await mixedShard();
    for (const entriesMax of [1, 2, 3, 5]) {
      const runs: ScheduledRun[] = [];
      let afterKey: Uint8Array | null = null;
      let pages = 0;
      do {
        const page = await listRunsWithScheduledWorkflowTask(shard.view, afterKey, entriesMax);
        expect(page.runs.length).toBeLessThanOrEqual(entriesMax);
        runs.push(...page.runs);
        afterKey = page.afterKey;
        pages++;
      } while (afterKey !== null);
      expect(runs).toEqual(expected);
      // Five mutable states: ⌈5 / entriesMax⌉ pages, plus an empty last one when the page size divides 5.
      expect(pages).toBe(Math.floor(5 / entriesMax) + 1);
    }
  });

  it('finds nothing in an empty shard', async () => {
    const page = await listRunsWithScheduledWorkflowTask(new MemoryShard().view, null, 10);
    expect(page).toEqual({ runs: [], afterKey: null });
  });
});
