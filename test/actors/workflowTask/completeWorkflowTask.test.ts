/**
 * Goal: a completion writes WFTCompleted (metadata verbatim, §5.7), the command events, the buffered events and a
 * new task when needed (§5.2); UNHANDLED_COMMAND and bad commands fail the task as §5.2/§7 say; stale tokens are
 * refused. Method: drive a run through the harness and compare the exact event sequences and effects.
 */

import { describe, expect, it } from 'vitest';

import { assertHistoryShape } from '../../../src/actors/history/historyShape.js';
import type { CommandHandlerTable } from '../../../src/actors/workflowTask/commandHandlers.js';
import { defaultCommandHandlers } from '../../../src/actors/workflowTask/commandHandlers.js';
import { completeWorkflowTask } from '../../../src/actors/workflowTask/completeWorkflowTask.js';
import { StaleTaskError, WorkflowClosedError } from '../../../src/actors/workflowTask/errors.js';
import { signalWorkflow } from '../../../src/actors/workflowTask/signalWorkflow.js';
import { completeCommand, outline, RunHarness } from './runHarness.js';

const signal = { signalName: 's', identity: 'client', requestId: '' };

describe('completeWorkflowTask', () => {
  it('copies the worker metadata verbatim and closes the run on COMPLETE_WORKFLOW_EXECUTION', () => {
    const run = new RunHarness();
    const task = run.poll();
    const metadata = {
      sdkMetadata: { coreUsedFlags: [1, 2, 3], langUsedFlags: [2] },
      binaryChecksum: 'abc',
      meteringMetadata: { nonfirstLocalActivityExecutionAttempts: 0 },
    };
    const result = run.apply((s, c) =>
      completeWorkflowTask(
        s,
        {
          task,
          identity: 'worker',
          commands: [completeCommand],
          metadata,
          stickiness: null,
          forceCreateNewWorkflowTask: false,
          messages: [],
        },
        c
      )
    );
    expect(outline(result.events)).toEqual(['4 WORKFLOW_TASK_COMPLETED', '5 WORKFLOW_EXECUTION_COMPLETED']);
    expect(result.events[0]).toMatchObject({
      workflowTaskCompletedEventAttributes: {
        scheduledEventId: '2',
        startedEventId: '3',
        identity: 'worker',
        ...metadata,
      },
    });
    expect(result.events[1]).toMatchObject({
      workflowExecutionCompletedEventAttributes: {
        result: { payloads: [{ data: 'done' }] },
        workflowTaskCompletedEventId: '4',
      },
    });
    expect(result.effects).toEqual([{ kind: 'runClosed', status: 'completed', closeEventId: 5 }]);
    expect(run.state.status).toBe('completed');
    expect(run.state.previousStartedEventId).toBe(3);
    expect(() => run.apply((s, c) => signalWorkflow(s, signal, c))).toThrow(WorkflowClosedError);
    assertHistoryShape(run.history);
  });

  it('writes buffered events after WFTCompleted and schedules a new task for them', () => {
    const run = new RunHarness();
    run.poll();
    const buffered = run.apply((s, c) => signalWorkflow(s, signal, c));
    expect(buffered.events).toEqual([]);
    run.complete();
    expect(outline(run.history).slice(3)).toEqual([
      '4 WORKFLOW_TASK_COMPLETED',
      '5 WORKFLOW_EXECUTION_SIGNALED',
      '6 WORKFLOW_TASK_SCHEDULED',
    ]);
    expect(run.state.bufferedEvents).toEqual([]);
    assertHistoryShape(run.history);
  });

  it('completes with no commands and no buffered events without scheduling a task', () => {
    const run = new RunHarness();
    run.poll();
    const result = run.complete();
    expect(outline(result.events)).toEqual(['4 WORKFLOW_TASK_COMPLETED']);
    expect(run.state.workflowTask).toEqual({ phase: 'none' });
  });

  it('UNHANDLED_COMMAND: a close command meeting buffered events applies nothing (§5.2)', () => {
    const run = new RunHarness();
    const task = run.poll();
    run.apply((s, c) => signalWorkflow(s, signal, c));
    const result = run.apply((s, c) =>
      completeWorkflowTask(
        s,
        {
          task,
          identity: 'worker',
          commands: [completeCommand],
          metadata: {},
          stickiness: { stickyTaskQueue: 'sticky-1', scheduleToStartTimeoutMs: 10_000 },
          forceCreateNewWorkflowTask: false,
          messages: [],
        },
        c
      )
    );
    expect(outline(result.events)).toEqual([
      '4 WORKFLOW_TASK_FAILED',
      '5 WORKFLOW_EXECUTION_SIGNALED',
      '6 WORKFLOW_TASK_SCHEDULED',
    ]);
    expect(result.events[0]).toMatchObject({
      workflowTaskFailedEventAttributes: { cause: 'WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND', startedEventId: '3' },
    });
    expect(result.events[2]).toMatchObject({
      workflowTaskScheduledEventAttributes: { attempt: 1, taskQueue: { name: 'tq', kind: 'TASK_QUEUE_KIND_NORMAL' } },
    });
    expect(result.effects).toContainEqual({
      kind: 'respondError',
      code: 'INVALID_ARGUMENT',
      message: 'UnhandledCommand',
    });
    expect(run.state.status).toBe('running');
    expect(run.state.stickiness).toBeNull();
    expect(run.state.previousStartedEventId).toBe(0);
    assertHistoryShape(run.history);
  });

  it('fails the task with a clear cause on an unknown command, then retries transiently', () => {
    const run = new RunHarness();
    run.poll();
    const result = run.complete([{ commandType: 'COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION' }]);
    expect(outline(result.events)).toEqual(['4 WORKFLOW_TASK_FAILED']);
    expect(result.events[0]).toMatchObject({
      workflowTaskFailedEventAttributes: {
        cause: 'WORKFLOW_TASK_FAILED_CAUSE_FEATURE_DISABLED',
        failure: { message: expect.stringContaining('COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION') as unknown },
      },
    });
    expect(result.effects).toContainEqual(expect.objectContaining({ kind: 'respondError', code: 'INVALID_ARGUMENT' }));
    expect(run.state.workflowTask).toMatchObject({ phase: 'scheduled', attempt: 2, transient: true });
  });

  it('fails the task when a close command is not the last command, writing no command event', () => {
    const run = new RunHarness();
    run.poll();
    const result = run.complete([completeCommand, completeCommand]);
    expect(outline(result.events)).toEqual(['4 WORKFLOW_TASK_FAILED']);
    expect(run.state.status).toBe('running');
  });

  it('fails the task with the BAD_..._ATTRIBUTES cause when a close command lacks its attributes', () => {
    const run = new RunHarness();
    run.poll();
    const result = run.complete([{ commandType: 'COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION' }]);
    expect(outline(result.events)).toEqual(['4 WORKFLOW_TASK_FAILED']);
    expect(result.events[0]).toMatchObject({
      workflowTaskFailedEventAttributes: { cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_FAIL_WORKFLOW_EXECUTION_ATTRIBUTES' },
    });
    expect(run.state.status).toBe('running');
  });

  it('dispatches the next task to the sticky queue with a schedule-to-start timer', () => {
    const run = new RunHarness();
    const task = run.poll();
    run.apply((s, c) =>
      completeWorkflowTask(
        s,
        {
          task,
          identity: 'worker',
          commands: [],
          metadata: {},
          stickiness: { stickyTaskQueue: 'sticky-1', scheduleToStartTimeoutMs: 5_000 },
          forceCreateNewWorkflowTask: true,
          messages: [],
        },
        c
      )
    );
    expect(outline(run.history).slice(3)).toEqual(['4 WORKFLOW_TASK_COMPLETED', '5 WORKFLOW_TASK_SCHEDULED']);
    expect(run.history[4]).toMatchObject({
      workflowTaskScheduledEventAttributes: {
        taskQueue: { name: 'sticky-1', kind: 'TASK_QUEUE_KIND_STICKY', normalName: 'tq' },
      },
    });
    expect(run.lastEffects).toEqual([
      { kind: 'dispatchWorkflowTask', queue: 'sticky', taskQueue: 'sticky-1', scheduledEventId: 5, attempt: 1 },
      {
        kind: 'armTimer',
        timer: 'workflowTaskScheduleToStart',
        fireAtMs: run.nowMs - 1000 + 5_000,
        scheduledEventId: 5,
        attempt: 1,
      },
    ]);
  });

  it('plugs in a handler for another command type through the table', () => {
    const run = new RunHarness();
    run.poll();
    const handlers: CommandHandlerTable = {
      ...defaultCommandHandlers,
      COMMAND_TYPE_START_TIMER: { closesRun: false, validate: () => null, apply: () => true },
    };
    const task = run.token();
    const result = run.apply((s, c) =>
      completeWorkflowTask(
        s,
        {
          task,
          identity: 'w',
          commands: [{ commandType: 'COMMAND_TYPE_START_TIMER' }],
          metadata: {},
          stickiness: null,
          forceCreateNewWorkflowTask: false,
          messages: [],
        },
        c,
        handlers
      )
    );
    expect(outline(result.events)).toEqual(['4 WORKFLOW_TASK_COMPLETED', '5 WORKFLOW_TASK_SCHEDULED']);
  });

  it('refuses a completion whose token is not the started task (StaleTaskError)', () => {
    const run = new RunHarness();
    const task = run.poll();
    run.complete();
    const input = {
      task,
      identity: 'w',
      commands: [],
      metadata: {},
      stickiness: null,
      forceCreateNewWorkflowTask: false,
      messages: [],
    };
    expect(() => completeWorkflowTask(run.state, input, run.context())).toThrow(StaleTaskError);
    expect(() => completeWorkflowTask(new RunHarness().state, input, { nowMs: 0, taskIdFirst: 1000 })).toThrow(
      StaleTaskError
    );
  });
});
