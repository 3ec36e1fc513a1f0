/**
 * Goal: SCHEDULE_ACTIVITY_TASK and REQUEST_CANCEL_ACTIVITY_TASK refuse bad commands with Temporal's causes (bad
 * attributes, duplicate activityId, pending-activities limit, unknown scheduledEventId) and write nothing but the
 * WorkflowTaskFailed; a cancel that races with a buffered close is accepted as Temporal accepts it.
 * Method: completions with the activity handlers against a run in the needed state; the failure cause and events
 * are compared exactly.
 */

import { describe, expect, it } from 'vitest';

import { PENDING_ACTIVITIES_MAX } from '../../../src/actors/activities/activityCommands.js';
import { assertHistoryShape } from '../../../src/actors/history/historyShape.js';
import type { ActivityInfo } from '../../../src/actors/mutableState/mutableState.js';
import type { TransitionResult } from '../../../src/actors/workflowTask/transition.js';
import { outline } from '../workflowTask/runHarness.js';
import { ActivityRun, attrs, cancelCommand, scheduleCommand, seconds } from './activityHarness.js';

/** The WorkflowTaskFailed a refused completion wrote, and the worker's error. */
function refusal(result: TransitionResult): { cause: unknown; message: unknown } {
  const failedEvent = result.events.find((event) => event.eventType === 'EVENT_TYPE_WORKFLOW_TASK_FAILED');
  const effect = result.effects.find((e) => e.kind === 'respondError');
  expect(effect).toBeDefined();
  const attributes = attrs(failedEvent);
  return { cause: attributes['cause'], message: (attributes['failure'] as Record<string, unknown>)['message'] };
}

function firstTask(): ActivityRun {
  const run = new ActivityRun();
  run.poll();
  return run;
}

describe('SCHEDULE_ACTIVITY_TASK validation', () => {
  it('refuses a command with neither start-to-close nor schedule-to-close', () => {
    const run = firstTask();
    const result = run.completeWith([scheduleCommand('a', { startToCloseTimeout: undefined })]);
    expect(refusal(result)).toEqual({
      cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES',
      message: expect.stringContaining('neither startToCloseTimeout nor scheduleToCloseTimeout is set'),
    });
    expect(outline(result.events)).toEqual(['4 WORKFLOW_TASK_FAILED']); // the retry is transient (§5.3)
    expect(run.state.workflowTask).toMatchObject({ phase: 'scheduled', attempt: 2 });
    expect(run.state.activities).toEqual({});
  });

  it('refuses a missing attributes member, an empty activity type, a negative duration and a bad policy', () => {
    const bad = [
      { commandType: 'COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK' },
      scheduleCommand('a', { activityType: { name: '' } }),
      scheduleCommand('a', { heartbeatTimeout: { seconds: '-1', nanos: 0 } }),
      scheduleCommand('a', { retryPolicy: { backoffCoefficient: 0.5 } }),
    ];
    const messages = bad.map((command) => refusal(firstTask().completeWith([command])));
    expect(messages.map((m) => m.cause)).toEqual(
      Array(4).fill('WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES')
    );
    expect(messages.map((m) => String(m.message))).toEqual([
      expect.stringContaining('scheduleActivityTaskCommandAttributes is missing'),
      expect.stringContaining('activityType must not be empty'),
      expect.stringContaining('heartbeatTimeout'),
      expect.stringContaining('retryPolicy.backoffCoefficient'),
    ]);
  });

  it('refuses an activityId a pending activity already uses', () => {
    const run = firstTask();
    run.completeWith([scheduleCommand('same')]);
    const result = run.decide([scheduleCommand('same')]);
    expect(refusal(result)).toEqual({
      cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES',
      message: expect.stringContaining('"same" is already used'),
    });
  });

  it(`refuses a new activity when ${PENDING_ACTIVITIES_MAX} are pending`, () => {
    const run = firstTask();
    run.completeWith([scheduleCommand('a0')]);
    const template = run.activity(5);
    const activities: Record<string, ActivityInfo> = {};
    for (let index = 0; index < PENDING_ACTIVITIES_MAX; index += 1) {
      activities[String(1_000 + index)] = { ...template, scheduledEventId: 1_000 + index, activityId: `x${index}` };
    }
    run.state = { ...run.state, activities };
    const result = run.decide([scheduleCommand('one-more')]);
    expect(refusal(result).cause).toBe('WORKFLOW_TASK_FAILED_CAUSE_PENDING_ACTIVITIES_LIMIT_EXCEEDED');
  });

  it('caps the timeouts by the run timeout and fills the task queue from the run', () => {
    const run = new ActivityRun();
    run.state = { ...run.state, executionInfo: { ...run.state.executionInfo, workflowRunTimeoutMs: 60_000 } };
    run.poll();
    const result = run.completeWith([
      scheduleCommand('a', { taskQueue: undefined, startToCloseTimeout: seconds(600), heartbeatTimeout: seconds(5) }),
    ]);
    expect(attrs(result.events[1])).toMatchObject({
      taskQueue: { name: 'tq', kind: 'TASK_QUEUE_KIND_NORMAL' },
      scheduleToCloseTimeout: { seconds: '60' },
      scheduleToStartTimeout: { seconds: '60' },
      startToCloseTimeout: { seconds: '60' },
      heartbeatTimeout: { seconds: '5' },
    });
    expect(run.activity(5)).toMatchObject({ scheduleToCloseTimeoutMs: 60_000, startToCloseTimeoutMs: 60_000 });
  });
});

describe('REQUEST_CANCEL_ACTIVITY_TASK validation', () => {
  it('refuses an unknown or malformed scheduledEventId', () => {
    const unknown = refusal(firstTask().completeWith([cancelCommand(42)]));
    expect(unknown).toEqual({
      cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES',
      message: expect.stringContaining('no pending activity was scheduled by event 42'),
    });
    const malformed = refusal(
      firstTask().completeWith([
        {
          commandType: 'COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK',
          requestCancelActivityTaskCommandAttributes: { scheduledEventId: 'x' },
        },
      ])
    );
    expect(malformed.cause).toBe('WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES');
  });

  it('accepts a cancel for an activity whose close is buffered: CancelRequested, then the flushed pair', () => {
    const run = firstTask();
    run.completeWith([scheduleCommand('a'), scheduleCommand('b')]); // 5, 6
    run.start(5);
    run.start(6);
    run.respond(6, { kind: 'completed', identity: 'w' }); // 7, 8, WFT 9
    run.poll(); // 10
    run.respond(5, { kind: 'completed', identity: 'w' }); // buffered
    const result = run.completeWith([cancelCommand(5)]);
    expect(outline(result.events)).toEqual([
      '11 WORKFLOW_TASK_COMPLETED',
      '12 ACTIVITY_TASK_CANCEL_REQUESTED',
      '13 ACTIVITY_TASK_STARTED',
      '14 ACTIVITY_TASK_COMPLETED',
      '15 WORKFLOW_TASK_SCHEDULED',
    ]);
    assertHistoryShape(run.history);
  });
});
