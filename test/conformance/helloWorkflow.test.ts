// Goal: the official Temporal TypeScript SDK (pinned 1.24.0) runs a trivial workflow end to end against a DevNode
// (TEMPORAL-API.md §2, §4, §5.1, §5.2, §5.11): `client.workflow.execute` returns the workflow's result through a
// real Worker, the history is exactly Started, WFT Scheduled, WFT Started, WFT Completed, Completed, and that
// history replays without a nondeterminism error. Once with the sticky cache on, once with maxCachedWorkflows 0.
// Method: an in-process DevNode (temp dir, ports 0), the unmodified Worker (bundled with the SDK's webpack + swc)
// over a NativeConnection, and the unmodified Client; the worker runs until the execution returns. A last test
// drives one task by hand over the client's raw WorkflowService (poll fields, a stale and a malformed token, the
// CLOSE_EVENT filter with and without waitNewEvent on an open and a closed run).
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { status as grpcStatus } from '@grpc/grpc-js';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevNode } from '../../src/node/devNode.js';
import { installSilentSdkRuntime, startConformanceNode } from './support/conformanceNode.js';
import type { hello } from './workflows/hello.js';

const { CommandType, EventType, HistoryEventFilterType } = temporal.api.enums.v1;
const require = createRequire(import.meta.url);
const workflowsPath = require.resolve('./workflows/hello.ts');

let dataDir: string;
let node: DevNode;
let connection: Connection;
let client: Client;
let address: string;

beforeAll(async () => {
  installSilentSdkRuntime();
  dataDir = await mkdtemp(join(tmpdir(), 'cairn-hello-conformance-'));
  node = await startConformanceNode(dataDir);
  address = `127.0.0.1:${node.grpcPort}`;
  connection = await Connection.connect({ address });
  client = new Client({ connection, namespace: 'default' });
}, 60_000);

afterAll(async () => {
  await connection?.close();
  await node?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** Runs `hello('x')` through a fresh worker; returns its result and history. */
async function executeHello(taskQueue: string, workflowId: string, maxCachedWorkflows?: number) {
  const workerConnection = await NativeConnection.connect({ address });
  try {
    const worker = await Worker.create({
      connection: workerConnection,
      namespace: 'default',
      taskQueue,
      workflowsPath,
      ...(maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows }),
    });
    return await worker.runUntil(async () => {
      const result = await client.workflow.execute<typeof hello>('hello', { taskQueue, workflowId, args: ['x'] });
      const history = await client.workflow.getHandle(workflowId).fetchHistory();
      return { result, history };
    });
  } finally {
    await workerConnection.close();
  }
}

describe('@temporalio/worker 1.24.0 against a DevNode', () => {
  for (const [label, maxCachedWorkflows] of [
    ['sticky cache on', undefined],
    ['maxCachedWorkflows 0', 0],
  ] as const) {
    it(`executes hello('x') end to end and replays its history (${label})`, async () => {
      const workflowId = `hello-${maxCachedWorkflows ?? 'sticky'}`;
      const { result, history } = await executeHello(`tq-${workflowId}`, workflowId, maxCachedWorkflows);
      expect(result).toBe('hello x');
      expect(history.events?.map((event) => event.eventType)).toEqual([
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
        EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
        EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
        EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
      ]);
      await expect(Worker.runReplayHistory({ workflowsPath }, history, workflowId)).resolves.toBeUndefined();
    }, 120_000);
  }

  it('hands out a task by raw poll, refuses stale and malformed tokens, and serves the CLOSE_EVENT filter', async () => {
    const service = connection.workflowService;
    const workflowId = 'hello-raw';
    const taskQueue = 'tq-raw';
    const handle = await client.workflow.start('hello', { taskQueue, workflowId, args: ['x'] });
    const execution = { workflowId, runId: handle.firstExecutionRunId };
    const closeFilter = HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT;
    const open = await service.getWorkflowExecutionHistory({
      namespace: 'default',
      execution,
      historyEventFilterType: closeFilter,
    });
    expect(open.history?.events ?? []).toHaveLength(0);

    const task = await service.pollWorkflowTaskQueue({
      namespace: 'default',
      taskQueue: { name: taskQueue },
      identity: 't',
    });
    expect(task.workflowExecution).toMatchObject(execution);
    expect(task.workflowType?.name).toBe('hello');
    expect(task.workflowExecutionTaskQueue?.name).toBe(taskQueue);
    expect(String(task.startedEventId)).toBe('3');
    expect(String(task.previousStartedEventId)).toBe('0');
    expect(task.attempt).toBe(1);
    expect(task.history?.events?.map((event) => event.eventType)).toEqual([
      EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
      EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
      EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    ]);
    expect(task.scheduledTime).toBeTruthy();
    expect(task.startedTime).toBeTruthy();

    const completion = {
      namespace: 'default',
      taskToken: task.taskToken,
      identity: 't',
      commands: [
        {
          commandType: CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
          completeWorkflowExecutionCommandAttributes: {},
        },
      ],
    };
    await service.respondWorkflowTaskCompleted(completion);
    await expect(service.respondWorkflowTaskCompleted(completion)).rejects.toMatchObject({
      code: grpcStatus.NOT_FOUND,
    });
    await expect(
      service.respondWorkflowTaskCompleted({ ...completion, taskToken: Buffer.from('garbage') })
    ).rejects.toMatchObject({ code: grpcStatus.INVALID_ARGUMENT });

    for (const waitNewEvent of [false, true]) {
      const closed = await service.getWorkflowExecutionHistory({
        namespace: 'default',
        execution,
        historyEventFilterType: closeFilter,
        waitNewEvent,
      });
      expect(closed.history?.events?.map((event) => [String(event.eventId), event.eventType])).toEqual([
        ['5', EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED],
      ]);
    }
  });
});
