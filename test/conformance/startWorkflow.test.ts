// Goal: the official @temporalio/client (pinned 1.24.0) starts a workflow on Cairn and reads it back
// (TEMPORAL-API.md §2, §3, §9): `workflow.start` returns a handle with a run id, a second start of the running id
// rejects with the client's own WorkflowExecutionAlreadyStartedError, `describe()` shows RUNNING with the type and
// task queue, and `fetchHistory()` (which pages without waitNewEvent) returns events 1 and 2.
// Method: an in-process DevNode (temp dir, ports 0) and the unmodified client over a real connection.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevNode } from '../../src/node/devNode.js';
import { startConformanceNode } from './support/conformanceNode.js';

const { EventType } = temporal.api.enums.v1;

let dataDir: string;
let node: DevNode;
let connection: Connection;
let client: Client;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cairn-start-conformance-'));
  node = await startConformanceNode(dataDir);
  connection = await Connection.connect({ address: `127.0.0.1:${node.grpcPort}` });
  client = new Client({ connection, namespace: 'default' });
});

afterAll(async () => {
  await connection.close();
  await node.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('@temporalio/client 1.24.0 against a DevNode', () => {
  it('start, duplicate start, describe and fetchHistory', async () => {
    const handle = await client.workflow.start('wf', { taskQueue: 'tq', workflowId: 'conformance-1', args: ['x'] });
    expect(handle.workflowId).toBe('conformance-1');
    expect(handle.firstExecutionRunId).toMatch(/^[0-9a-f-]{36}$/);

    const again = client.workflow.start('wf', { taskQueue: 'tq', workflowId: 'conformance-1', args: ['y'] });
    const error: unknown = await again.then(
      () => undefined,
      (reason: unknown) => reason
    );
    expect(error).toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    expect((error as WorkflowExecutionAlreadyStartedError).workflowId).toBe('conformance-1');

    const description = await handle.describe();
    expect(description.status.name).toBe('RUNNING');
    expect(description.type).toBe('wf');
    expect(description.taskQueue).toBe('tq');
    expect(description.runId).toBe(handle.firstExecutionRunId);
    expect(description.historyLength).toBe(2);
    expect(description.startTime.getTime()).toBeGreaterThan(0);

    const history = await handle.fetchHistory();
    const events = (history.events ?? []).map((event) => [Number(event.eventId), event.eventType]);
    expect(events).toEqual([
      [1, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED],
      [2, EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED],
    ]);
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    expect(started?.workflowType?.name).toBe('wf');
    expect(started?.taskQueue?.name).toBe('tq');
  });
});
