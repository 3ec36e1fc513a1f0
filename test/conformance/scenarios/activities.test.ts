// Goal: activities and the server-owned retry policy behave as Temporal's (TEMPORAL-API.md §5.1, §5.4, §13: hello,
// retries, nonRetryable, plus nonRetryableErrorTypes, nextRetryDelay, maximumAttempts, start-to-close,
// schedule-to-close and heartbeat timeouts and heartbeat details carried to the next attempt), as the official
// TypeScript SDK 1.24.0 sees them.
// Method: an in-process DevNode; each scenario runs once with the sticky cache on and once with maxCachedWorkflows 0
// (support/scenarioHarness.ts), asserts the client-side outcome and the §5 event shape, and replays every history.
import { describe, expect } from 'vitest';
import { activityLog } from './activities/activityLog.js';
import { eventNames, onlyEvent } from './support/historyEvents.js';
import { durationMs, int64, retryStateName, taskQueueKindName, timeoutTypeName } from './support/protoValues.js';
import { runScenario, useScenarioNode } from './support/scenarioHarness.js';

useScenarioNode('activities');

/** The full history of a workflow that runs one activity and completes (§5.1). */
const oneActivityShape = [
  'WorkflowExecutionStarted',
  'WorkflowTaskScheduled',
  'WorkflowTaskStarted',
  'WorkflowTaskCompleted',
  'ActivityTaskScheduled',
  'ActivityTaskStarted',
  'ActivityTaskCompleted',
  'WorkflowTaskScheduled',
  'WorkflowTaskStarted',
  'WorkflowTaskCompleted',
  'WorkflowExecutionCompleted',
];

/** The same with the activity failing or timing out (`closeEvent`) and the workflow completing regardless. */
function oneClosedActivityShape(closeEvent: string): string[] {
  return oneActivityShape.map((name) => (name === 'ActivityTaskCompleted' ? closeEvent : name));
}

describe('activities', () => {
  runScenario('hello', async (scenario) => {
    const handle = await scenario.start('helloActivity', ['x']);
    expect(await handle.result()).toBe('hello x');
    const history = await scenario.history(handle.workflowId);
    expect(eventNames(history)).toEqual(oneActivityShape);
    const [started, firstScheduled, firstStarted, firstCompleted, activityScheduled, activityStarted, ...rest] =
      history.events ?? [];
    const [activityCompleted, next] = rest;
    const startedAttributes = started?.workflowExecutionStartedEventAttributes;
    expect(startedAttributes?.workflowType?.name).toBe('helloActivity');
    expect(startedAttributes?.taskQueue?.name).toBe(scenario.taskQueue);
    expect(startedAttributes?.attempt).toBe(1);
    expect(startedAttributes?.originalExecutionRunId).toBe(handle.firstExecutionRunId);
    expect(startedAttributes?.firstExecutionRunId).toBe(handle.firstExecutionRunId);
    expect(durationMs(startedAttributes?.workflowTaskTimeout)).toBe(10_000);
    expect(firstScheduled?.workflowTaskScheduledEventAttributes?.attempt).toBe(1);
    expect(durationMs(firstScheduled?.workflowTaskScheduledEventAttributes?.startToCloseTimeout)).toBe(10_000);
    expect(int64(firstStarted?.workflowTaskStartedEventAttributes?.scheduledEventId)).toBe(2);
    // The worker's SDK metadata is copied verbatim into WorkflowTaskCompleted; core reads its flags on replay (§5.7).
    const completedAttributes = firstCompleted?.workflowTaskCompletedEventAttributes;
    expect(int64(completedAttributes?.startedEventId)).toBe(3);
    expect(completedAttributes?.sdkMetadata?.coreUsedFlags?.length ?? 0).toBeGreaterThan(0);
    const scheduledAttributes = activityScheduled?.activityTaskScheduledEventAttributes;
    expect(scheduledAttributes?.activityType?.name).toBe('greet');
    expect(scheduledAttributes?.taskQueue?.name).toBe(scenario.taskQueue);
    expect(int64(scheduledAttributes?.workflowTaskCompletedEventId)).toBe(4);
    // No retry policy given: the server fills in Temporal's defaults (§4, §10).
    expect(durationMs(scheduledAttributes?.retryPolicy?.initialInterval)).toBe(1_000);
    expect(scheduledAttributes?.retryPolicy?.backoffCoefficient).toBe(2);
    expect(durationMs(scheduledAttributes?.retryPolicy?.maximumInterval)).toBe(100_000);
    expect(scheduledAttributes?.retryPolicy?.maximumAttempts ?? 0).toBe(0);
    expect(int64(activityStarted?.activityTaskStartedEventAttributes?.scheduledEventId)).toBe(5);
    expect(activityStarted?.activityTaskStartedEventAttributes?.attempt).toBe(1);
    expect(int64(activityCompleted?.activityTaskCompletedEventAttributes?.scheduledEventId)).toBe(5);
    expect(int64(activityCompleted?.activityTaskCompletedEventAttributes?.startedEventId)).toBe(6);
    // The second task goes to the worker's sticky queue when the cache is on (§5.6), to the normal queue otherwise.
    const nextQueue = next?.workflowTaskScheduledEventAttributes?.taskQueue;
    if (scenario.mode === 'sticky') {
      expect(taskQueueKindName(nextQueue?.kind)).toBe('TASK_QUEUE_KIND_STICKY');
      expect(nextQueue?.normalName).toBe(scenario.taskQueue);
    } else {
      expect(nextQueue?.name).toBe(scenario.taskQueue);
      expect(taskQueueKindName(nextQueue?.kind)).toBe('TASK_QUEUE_KIND_NORMAL');
    }
  });

  runScenario('retries', async (scenario) => {
    const handle = await scenario.start('retrying', []);
    expect(await handle.result()).toBe(3);
    const history = await scenario.history(handle.workflowId);
    // Retries leave no trace: one Scheduled, one Started (attempt 3), one Completed (§5.4).
    expect(eventNames(history)).toEqual(oneActivityShape);
    const scheduled = onlyEvent(history, 'ActivityTaskScheduled').activityTaskScheduledEventAttributes;
    expect(durationMs(scheduled?.retryPolicy?.initialInterval)).toBe(200);
    expect(scheduled?.retryPolicy?.maximumAttempts).toBe(5);
    const started = onlyEvent(history, 'ActivityTaskStarted').activityTaskStartedEventAttributes;
    expect(started?.attempt).toBe(3);
    expect(started?.lastFailure?.message).toBe('attempt 2 fails on purpose');
    expect(started?.lastFailure?.applicationFailureInfo?.type).toBe('FlakyError');
  });

  runScenario('nonRetryable', async (scenario) => {
    const handle = await scenario.start('nonRetryable', []);
    expect(await handle.result()).toEqual({
      failure: 'ActivityFailure',
      retryState: 'NON_RETRYABLE_FAILURE',
      cause: 'ApplicationFailure',
      causeType: 'MyNonRetryableError',
      nonRetryable: true,
      isCancellation: false,
    });
    const history = await scenario.history(handle.workflowId);
    expect(eventNames(history)).toEqual(oneClosedActivityShape('ActivityTaskFailed'));
    expect(onlyEvent(history, 'ActivityTaskStarted').activityTaskStartedEventAttributes?.attempt).toBe(1);
    const failed = onlyEvent(history, 'ActivityTaskFailed').activityTaskFailedEventAttributes;
    expect(retryStateName(failed?.retryState)).toBe('RETRY_STATE_NON_RETRYABLE_FAILURE');
    expect(failed?.failure?.applicationFailureInfo?.type).toBe('MyNonRetryableError');
  });

  runScenario('maximumAttempts', async (scenario) => {
    const handle = await scenario.start('maximumAttempts', []);
    expect(await handle.result()).toMatchObject({
      failure: 'ActivityFailure',
      retryState: 'MAXIMUM_ATTEMPTS_REACHED',
      cause: 'ApplicationFailure',
      causeType: 'AlwaysError',
    });
    const history = await scenario.history(handle.workflowId);
    expect(eventNames(history)).toEqual(oneClosedActivityShape('ActivityTaskFailed'));
    expect(onlyEvent(history, 'ActivityTaskStarted').activityTaskStartedEventAttributes?.attempt).toBe(2);
    const failed = onlyEvent(history, 'ActivityTaskFailed').activityTaskFailedEventAttributes;
    expect(retryStateName(failed?.retryState)).toBe('RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED');
  });

  runScenario('nonRetryableErrorTypes', async (scenario) => {
    const handle = await scenario.start('nonRetryableErrorTypes', []);
    // The server's retry policy stops on a listed error type, although the failure itself is retryable (§5.4).
    expect(await handle.result()).toMatchObject({
      failure: 'ActivityFailure',
      retryState: 'NON_RETRYABLE_FAILURE',
      causeType: 'AlwaysError',
      nonRetryable: false,
    });
    const history = await scenario.history(handle.workflowId);
    expect(eventNames(history)).toEqual(oneClosedActivityShape('ActivityTaskFailed'));
    expect(onlyEvent(history, 'ActivityTaskStarted').activityTaskStartedEventAttributes?.attempt).toBe(1);
  });

  runScenario('nextRetryDelayHonoured', async (scenario) => {
    const handle = await scenario.start('nextRetryDelay', []);
    expect(await handle.result()).toBe(2);
    // The failure's nextRetryDelay (1.5 s) replaces the policy's 100 ms interval; a retry never comes early.
    const failedAtMs = activityLog.get(`${handle.workflowId}/failedAtMs`) as number;
    const retriedAtMs = activityLog.get(`${handle.workflowId}/retriedAtMs`) as number;
    expect(retriedAtMs - failedAtMs).toBeGreaterThanOrEqual(1_500);
    const history = await scenario.history(handle.workflowId);
    expect(eventNames(history)).toEqual(oneActivityShape);
  });

  runScenario('startToCloseTimeoutRetried', async (scenario) => {
    const handle = await scenario.start('startToCloseRetry', []);
    expect(await handle.result()).toBe(2);
    const history = await scenario.history(handle.workflowId);
    expect(eventNames(history)).toEqual(oneActivityShape);
    const started = onlyEvent(history, 'ActivityTaskStarted').activityTaskStartedEventAttributes;
    expect(started?.attempt).toBe(2);
    expect(timeoutTypeName(started?.lastFailure?.timeoutFailureInfo?.timeoutType)).toBe('TIMEOUT_TYPE_START_TO_CLOSE');
  });

  runScenario('scheduleToCloseTimeout', async (scenario) => {
    const handle = await scenario.start('scheduleToCloseTimeout', []);
    expect(await handle.result()).toMatchObject({
      failure: 'ActivityFailure',
      cause: 'TimeoutFailure',
      timeoutType: 'SCHEDULE_TO_CLOSE',
    });
    const history = await scenario.history(handle.workflowId);
    expect(eventNames(history)).toEqual(oneClosedActivityShape('ActivityTaskTimedOut'));
    const timedOut = onlyEvent(history, 'ActivityTaskTimedOut').activityTaskTimedOutEventAttributes;
    expect(timeoutTypeName(timedOut?.failure?.timeoutFailureInfo?.timeoutType)).toBe('TIMEOUT_TYPE_SCHEDULE_TO_CLOSE');
  });

  runScenario('heartbeatTimeout', async (scenario) => {
    const handle = await scenario.start('heartbeatTimeout', []);
    expect(await handle.result()).toMatchObject({
      failure: 'ActivityFailure',
      retryState: 'MAXIMUM_ATTEMPTS_REACHED',
      cause: 'TimeoutFailure',
      timeoutType: 'HEARTBEAT',
    });
    const history = await scenario.history(handle.workflowId);
    expect(eventNames(history)).toEqual(oneClosedActivityShape('ActivityTaskTimedOut'));
    const timedOut = onlyEvent(history, 'ActivityTaskTimedOut').activityTaskTimedOutEventAttributes;
    expect(timeoutTypeName(timedOut?.failure?.timeoutFailureInfo?.timeoutType)).toBe('TIMEOUT_TYPE_HEARTBEAT');
    expect(retryStateName(timedOut?.retryState)).toBe('RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED');
  });

  runScenario('heartbeatDetailsCarried', async (scenario) => {
    const handle = await scenario.start('heartbeatDetails', []);
    expect(await handle.result()).toBe('progress-7');
    const history = await scenario.history(handle.workflowId);
    expect(eventNames(history)).toEqual(oneActivityShape);
    expect(onlyEvent(history, 'ActivityTaskStarted').activityTaskStartedEventAttributes?.attempt).toBe(2);
  });
});
