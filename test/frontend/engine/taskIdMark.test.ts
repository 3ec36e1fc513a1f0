// Goal: taskIds of a shard keep increasing across a restart even when the wall clock stepped back meanwhile (the
// allocator starts from nowMs × 1000, so without the durable high-water mark a slower clock would reuse ids).
// Method: a real one-shard ShardRuntime on a temp dir and the real ShardWorkflowEngine with a pinned clock: a run is
// started, signaled and terminated at T, the runtime is reopened with the clock at T − 1 h, and a second workflow (a new run,
// whose ids come only from the allocator) is started: its events' taskIds are above every earlier one.
import { rm } from 'node:fs/promises';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { readHistory } from '../../../src/actors/runStore/runStore.js';
import { ShardWorkflowEngine } from '../../../src/frontend/engine/shardWorkflowEngine.js';
import type { StartRequest } from '../../../src/actors/start/startRequest.js';
import { openRuntime, tempDataDir } from '../../shard/support/runtimeHelpers.js';

const clockMs = Date.UTC(2026, 10, 25, 12);
const silent = pino({ level: 'silent' });

function request(workflowId: string): StartRequest {
  return {
    namespace: 'default',
    workflowId,
    workflowType: 't',
    taskQueue: 'q',
    requestId: `req-${workflowId}`,
    identity: 'test',
    workflowTaskTimeoutMs: 10_000,
    workflowRunTimeoutMs: 0,
    workflowExecutionTimeoutMs: 0,
  };
}

describe('the shard taskId high-water mark', () => {
  it('keeps taskIds increasing across a restart with a wall clock stepped back by an hour', async () => {
    const dir = await tempDataDir();
    try {
      const first = await openRuntime(dir, { shards: 1 });
      const engine = new ShardWorkflowEngine(first.runtime, () => clockMs, silent);
      const started = await engine.startWorkflow(request('wf-a'));
      expect(started.kind).toBe('started');
      await engine.signalWorkflow(
        { namespace: 'default', workflowId: 'wf-a', runId: '' },
        {
          signalName: 's',
          identity: 'test',
          requestId: '',
        }
      );
      // Closed: a closed run is not reloaded when the shard's gate opens, so only the durable mark remembers its ids.
      await engine.terminateWorkflow(
        { namespace: 'default', workflowId: 'wf-a', runId: '' },
        {
          identity: 'test',
          reason: 'done',
        }
      );
      const before = await engine.readHistory({
        execution: { namespace: 'default', workflowId: 'wf-a', runId: '' },
        fromEventId: 1,
        pageSizeMax: 100,
      });
      const maxBefore = Math.max(...before.events.map((event) => Number(event.taskId)));
      engine.close();
      await first.runtime.close();

      const second = await openRuntime(dir, { shards: 1 });
      const rewound = new ShardWorkflowEngine(second.runtime, () => clockMs - 3_600_000, silent);
      // The mark is loaded when the shard's gate opens (on the next turn after construction).
      await rewound.whenLoaded();
      const next = await rewound.startWorkflow(request('wf-b'));
      expect(next.kind).toBe('started');
      const after = await second.runtime
        .shard(0)
        .read((view) =>
          readHistory(
            view,
            { namespace: 'default', workflowId: 'wf-b', runId: next.kind === 'started' ? next.runId : '' },
            1,
            3
          )
        );
      expect(after).toHaveLength(2);
      for (const event of after) expect(Number(event.taskId)).toBeGreaterThan(maxBefore);
      rewound.close();
      await second.runtime.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
