// Goal: long polls hand out only committed "started" records and a cancelled poll never receives a task (issue 4):
// a poll aborted while waiting answers null and leaves no trace; the task it did not take goes to the next poll,
// whose answer is already committed (the run's state says "started" before the poll returns); concurrent polls of
// one queue never get the same task.
// Method: a real one-shard ShardRuntime on a temp dir and the real ShardWorkflowEngine; polls are driven directly.
import { rm } from 'node:fs/promises';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShardWorkflowEngine } from '../../../src/frontend/engine/shardWorkflowEngine.js';
import type { StartRequest } from '../../../src/actors/start/startRequest.js';
import type { ShardRuntime } from '../../../src/shard/runtime/shardRuntime.js';
import { openRuntime, tempDataDir } from '../../shard/support/runtimeHelpers.js';

let dir: string;
let runtime: ShardRuntime;
let engine: ShardWorkflowEngine;

beforeAll(async () => {
  dir = await tempDataDir();
  runtime = (await openRuntime(dir, { shards: 1 })).runtime;
  engine = new ShardWorkflowEngine(runtime, Date.now, pino({ level: 'silent' }));
  await engine.whenLoaded();
});

afterAll(async () => {
  engine.close();
  await runtime.close();
  await rm(dir, { recursive: true, force: true });
});

function request(workflowId: string, taskQueue: string): StartRequest {
  return {
    namespace: 'default',
    workflowId,
    workflowType: 't',
    taskQueue,
    requestId: `req-${workflowId}`,
    identity: 'test',
    workflowTaskTimeoutMs: 10_000,
    workflowRunTimeoutMs: 0,
    workflowExecutionTimeoutMs: 0,
  };
}

function poll(taskQueue: string, signal: AbortSignal, waitMs = 5_000) {
  return engine.pollWorkflowTask({
    namespace: 'default',
    taskQueue,
    queueKind: 'normal',
    identity: 'w',
    waitMs,
    signal,
  });
}

describe('workflow task polls', () => {
  it('a poll cancelled while waiting gets nothing, and the task goes to the next poll, already started', async () => {
    const cancelled = new AbortController();
    const first = poll('q-cancel', cancelled.signal);
    cancelled.abort();
    expect(await first).toBeNull();
    await engine.startWorkflow(request('wf-cancel', 'q-cancel'));
    const second = await poll('q-cancel', new AbortController().signal);
    expect(second?.kind).toBe('workflowTask');
    const state = await engine.describeWorkflow({ namespace: 'default', workflowId: 'wf-cancel', runId: '' });
    // The answer was sent only after WorkflowTaskStarted was committed.
    expect(state.workflowTask.phase).toBe('started');
    expect(second?.kind === 'workflowTask' ? second.started.startedEventId : 0).toBe(3);
  });

  it('concurrent polls never get the same task', async () => {
    const polls = Array.from({ length: 6 }, () => poll('q-many', new AbortController().signal, 1_500));
    await Promise.all(
      Array.from({ length: 4 }, (_, index) => engine.startWorkflow(request(`wf-many-${index}`, 'q-many')))
    );
    const answers = await Promise.all(polls);
    const handed = answers.filter((answer) => answer !== null).map((answer) => answer.state.executionInfo.workflowId);
    expect(handed.sort()).toEqual(['wf-many-0', 'wf-many-1', 'wf-many-2', 'wf-many-3']);
  });
});
