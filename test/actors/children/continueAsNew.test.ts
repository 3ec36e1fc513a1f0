/**
 * Goal: CONTINUE_AS_NEW (TEMPORAL-API.md §5.10) closes the run with WorkflowExecutionContinuedAsNew naming the new
 * run, creates that run in the same transition, keeps firstExecutionRunId across a chain, inherits what the command
 * leaves out, carries the parent link, and refuses a missing freshRunId or bad attributes.
 * Method: harness-driven chains of three continue-as-new runs; event outlines, attributes and history shape checks.
 */

import { describe, expect, it } from 'vitest';

import { CONTINUED_AS_NEW_STATUS } from '../../../src/actors/children/continueAsNewCommand.js';
import { outboxOf } from '../../../src/actors/children/outbox.js';
import { assertHistoryShape } from '../../../src/actors/history/historyShape.js';
import { startWorkflow } from '../../../src/actors/workflowTask/startWorkflow.js';
import { completeCommand, outline, RunHarness, startTimeMs } from '../workflowTask/runHarness.js';
import { attributesOf, completeWith, continueAsNewCommand, harnessOf } from './childHarness.js';

/** Continues `run` as `newRunId`; returns the harness of the new run. */
function continueRun(run: RunHarness, newRunId: string, attributes = {}): RunHarness {
  run.poll();
  const result = completeWith(run, [continueAsNewCommand(attributes)], newRunId);
  const spawned = result.spawned?.[0];
  if (spawned === undefined || result.spawned?.length !== 1) throw new Error('expected exactly one spawned run');
  // One shard entry: the new run's taskIds follow the old run's.
  expect(Number(spawned.events[0]?.taskId)).toBe(Number(result.events.at(-1)?.taskId) + 1);
  // backoffStartInterval delays the first workflow task: the new run then starts with Started alone.
  const delayed = 'backoffStartInterval' in attributes;
  expect(outline(spawned.events)).toEqual(
    delayed ? ['1 WORKFLOW_EXECUTION_STARTED'] : ['1 WORKFLOW_EXECUTION_STARTED', '2 WORKFLOW_TASK_SCHEDULED']
  );
  if (delayed) expect(spawned.state.firstWorkflowTaskBackoffMs).toBeGreaterThan(0);
  assertHistoryShape(spawned.events);
  if (!delayed) {
    expect(spawned.effects).toContainEqual(
      expect.objectContaining({ kind: 'dispatchWorkflowTask', taskQueue: spawned.state.executionInfo.taskQueue })
    );
  }
  return harnessOf(spawned, run);
}

describe('continue-as-new', () => {
  it('three runs keep firstExecutionRunId and link each run to the one before', () => {
    const runs = [new RunHarness()];
    for (const runId of ['run-2', 'run-3', 'run-4']) {
      runs.push(continueRun(runs.at(-1) as RunHarness, runId, { input: { payloads: [{ data: runId }] } }));
    }
    runs.forEach((run, index) => {
      const runId = `run-${index + 1}`;
      expect(run.state.executionInfo.runId).toBe(runId);
      expect(run.state.firstExecutionRunId).toBe('run-1');
      assertHistoryShape(run.history);
      if (index === 0) return;
      expect(attributesOf(run.history[0])).toMatchObject({
        continuedExecutionRunId: `run-${index}`,
        firstExecutionRunId: 'run-1',
        originalExecutionRunId: runId,
        initiator: 'CONTINUE_AS_NEW_INITIATOR_WORKFLOW',
        attempt: 1,
        input: { payloads: [{ data: runId }] },
        workflowType: { name: 'example' },
        taskQueue: { name: 'tq', kind: 'TASK_QUEUE_KIND_NORMAL' },
        workflowTaskTimeout: { seconds: '10', nanos: 0 },
      });
    });
    for (const [index, run] of runs.slice(0, 3).entries()) {
      expect(outline(run.history).slice(-2)).toEqual([
        '4 WORKFLOW_TASK_COMPLETED',
        '5 WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
      ]);
      expect(attributesOf(run.history.at(-1))).toMatchObject({
        newExecutionRunId: `run-${index + 2}`,
        workflowTaskCompletedEventId: '4',
        workflowType: { name: 'example' },
        taskQueue: { name: 'tq', kind: 'TASK_QUEUE_KIND_NORMAL' },
        input: { payloads: [{ data: `run-${index + 2}` }] },
        initiator: 'CONTINUE_AS_NEW_INITIATOR_WORKFLOW',
      });
      expect(run.state.status).toBe(CONTINUED_AS_NEW_STATUS);
      expect(run.state.closeState).toMatchObject({ closeEventId: 5, newExecutionRunId: `run-${index + 2}` });
      expect(run.lastEffects).toContainEqual({ kind: 'runClosed', status: CONTINUED_AS_NEW_STATUS, closeEventId: 5 });
    }
    // The last run of the chain completes normally.
    const last = runs[3] as RunHarness;
    last.poll();
    completeWith(last, [completeCommand]);
    expect(last.state.closeState?.newExecutionRunId).toBe('');
    assertHistoryShape(last.history);
  });

  it('the command overrides type, queue and timeouts; memo and search attributes are inherited when absent', () => {
    const run = new RunHarness();
    run.state = { ...run.state, memo: { note: { data: 'm' } }, searchAttributes: { CustomKey: { data: 's' } } };
    const next = continueRun(run, 'run-2', {
      workflowType: { name: 'other' },
      taskQueue: { name: 'tq-2' },
      workflowRunTimeout: { seconds: '60', nanos: 0 },
      workflowTaskTimeout: { seconds: '5', nanos: 0 },
      backoffStartInterval: { seconds: '3', nanos: 0 },
      header: { fields: { h: { data: 'x' } } },
    });
    expect(attributesOf(run.history.at(-1))).toMatchObject({
      workflowType: { name: 'other' },
      taskQueue: { name: 'tq-2', kind: 'TASK_QUEUE_KIND_NORMAL' },
      workflowRunTimeout: { seconds: '60', nanos: 0 },
      workflowTaskTimeout: { seconds: '5', nanos: 0 },
      backoffStartInterval: { seconds: '3', nanos: 0 },
      header: { fields: { h: { data: 'x' } } },
    });
    expect(next.state.executionInfo).toMatchObject({
      workflowType: 'other',
      taskQueue: 'tq-2',
      workflowRunTimeoutMs: 60_000,
      workflowTaskTimeoutMs: 5_000,
    });
    expect(next.state.memo).toEqual({ note: { data: 'm' } });
    expect(next.state.searchAttributes).toEqual({ CustomKey: { data: 's' } });
    expect(attributesOf(next.history[0])).toMatchObject({
      memo: { fields: { note: { data: 'm' } } },
      header: { fields: { h: { data: 'x' } } },
    });
  });

  it('a child run that continues as new passes its parent link on and only the last run notifies the parent', () => {
    const parent = { namespace: 'default', workflowId: 'parent', runId: 'parent-run', initiatedEventId: 5 };
    const child = new RunHarness();
    const started = startWorkflow(
      {
        executionInfo: {
          ...child.state.executionInfo,
          workflowId: 'child',
          runId: 'child-1',
          startTimeMs: child.nowMs,
        },
        identity: 'parent',
        lineage: { parent },
      },
      child.context()
    );
    const first = harnessOf(started, child);
    const second = continueRun(first, 'child-2');
    expect(outboxOf(first.state)).toEqual([]);
    expect(second.state.parent).toEqual(parent);
    expect(attributesOf(second.history[0])).toMatchObject({
      parentWorkflowExecution: { workflowId: 'parent', runId: 'parent-run' },
      parentInitiatedEventId: '5',
    });
    second.poll();
    completeWith(second, [completeCommand]);
    expect(outboxOf(second.state)).toMatchObject([
      { kind: 'notifyParent', parent, report: { initiatedEventId: 5, runId: 'child-2', status: 'completed' } },
    ]);
  });

  it('without context.freshRunId the engine stops (the host must always provide one)', () => {
    const run = new RunHarness();
    run.poll();
    expect(() => completeWith(run, [continueAsNewCommand()])).toThrow(/freshRunId/);
  });

  it('a bad timeout fails the task with BAD_CONTINUE_AS_NEW_ATTRIBUTES and creates no run', () => {
    const run = new RunHarness();
    run.poll();
    const result = completeWith(run, [continueAsNewCommand({ workflowRunTimeout: { seconds: '-1' } })], 'run-2');
    expect(result.spawned).toBeUndefined();
    expect(outline(result.events)).toEqual(['4 WORKFLOW_TASK_FAILED']);
    expect(attributesOf(result.events[0])).toMatchObject({
      cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_CONTINUE_AS_NEW_ATTRIBUTES',
    });
    expect(run.state.closeState).toBeNull();
    expect(run.nowMs).toBeGreaterThan(startTimeMs);
  });
});
