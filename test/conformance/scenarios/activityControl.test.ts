// Goal: activity cancellation, local activities, fan-out and asynchronous completion behave as Temporal's
// (TEMPORAL-API.md §5.4, §5.5, §13: activityCancel, localAct, manyActivities, plus the cancel of an activity that
// never started and client.activity.complete by task token), as the official TypeScript SDK 1.24.0 sees them.
// Method: an in-process DevNode; each scenario runs once with the sticky cache on and once with maxCachedWorkflows 0
// (support/scenarioHarness.ts), asserts the client-side outcome and the §5 event shape, and replays every history.
import { describe, expect } from 'vitest';
import { activityLog, asyncTaskTokens } from './activities/activityLog.js';
import { countOf, eventNames, eventsNamed, featureEventNames, onlyEvent } from './support/historyEvents.js';
import { int64 } from './support/protoValues.js';
import { runScenario, useScenarioNode } from './support/scenarioHarness.js';

useScenarioNode('activity-control');

describe('activity control', () => {
  runScenario('activityCancel', async (scenario) => {
    const handle = await scenario.start('activityCancel', []);
    await scenario.waitFor('the activity to start', () => activityLog.get(`${handle.workflowId}/started`));
    await handle.signal('release');
    expect(await handle.result()).toMatchObject({
      failure: 'ActivityFailure',
      cause: 'CancelledFailure',
      isCancellation: true,
    });
    // The activity saw the cancellation through its heartbeat's cancelRequested (§5.4).
    expect(activityLog.get(`${handle.workflowId}/cancelled`)).toBe('CancelledFailure');
    const history = await scenario.history(handle.workflowId);
    expect(featureEventNames(history)).toEqual([
      'WorkflowExecutionStarted',
      'ActivityTaskScheduled',
      'WorkflowExecutionSignaled',
      'ActivityTaskCancelRequested',
      'ActivityTaskStarted',
      'ActivityTaskCanceled',
      'WorkflowExecutionCompleted',
    ]);
    const requested = onlyEvent(history, 'ActivityTaskCancelRequested');
    const canceled = onlyEvent(history, 'ActivityTaskCanceled').activityTaskCanceledEventAttributes;
    expect(int64(canceled?.latestCancelRequestedEventId)).toBe(int64(requested.eventId));
    expect(int64(canceled?.startedEventId)).toBe(int64(onlyEvent(history, 'ActivityTaskStarted').eventId));
  });

  runScenario('cancelUnstartedActivity', async (scenario) => {
    const handle = await scenario.start('cancelUnstarted', []);
    expect(await handle.result()).toMatchObject({
      failure: 'ActivityFailure',
      cause: 'CancelledFailure',
      isCancellation: true,
    });
    const history = await scenario.history(handle.workflowId);
    // Not running: CancelRequested and Canceled{startedEventId 0} together, and no Started (§5.4).
    expect(featureEventNames(history)).toEqual([
      'WorkflowExecutionStarted',
      'ActivityTaskScheduled',
      'TimerStarted',
      'TimerFired',
      'ActivityTaskCancelRequested',
      'ActivityTaskCanceled',
      'WorkflowExecutionCompleted',
    ]);
    const canceled = onlyEvent(history, 'ActivityTaskCanceled').activityTaskCanceledEventAttributes;
    expect(int64(canceled?.startedEventId)).toBe(0);
    const scheduled = onlyEvent(history, 'ActivityTaskScheduled').activityTaskScheduledEventAttributes;
    expect(scheduled?.taskQueue?.name).toBe('cairn-conformance-nobody-polls');
  });

  runScenario('localActivity', async (scenario) => {
    const handle = await scenario.start('localActivity', ['local']);
    expect(await handle.result()).toBe('hello local');
    const history = await scenario.history(handle.workflowId);
    // A local activity reaches the server only as a marker (§5.5).
    expect(countOf(history, 'ActivityTaskScheduled')).toBe(0);
    expect(featureEventNames(history)).toEqual([
      'WorkflowExecutionStarted',
      'MarkerRecorded',
      'WorkflowExecutionCompleted',
    ]);
    expect(onlyEvent(history, 'MarkerRecorded').markerRecordedEventAttributes?.markerName).toBe('core_local_activity');
  });

  runScenario('manyActivities', async (scenario) => {
    const handle = await scenario.start('manyActivities', [20]);
    expect(await handle.result()).toBe(2 * ((19 * 20) / 2));
    const history = await scenario.history(handle.workflowId);
    expect(countOf(history, 'ActivityTaskScheduled')).toBe(20);
    expect(countOf(history, 'ActivityTaskStarted')).toBe(20);
    expect(countOf(history, 'ActivityTaskCompleted')).toBe(20);
    // All twenty are scheduled by the first task; each close pairs with its own Started event (§5.2, §5.4).
    const scheduledIds = eventsNamed(history, 'ActivityTaskScheduled').map((event) => int64(event.eventId));
    expect(scheduledIds).toEqual(Array.from({ length: 20 }, (_, index) => 5 + index));
    const startedIdByScheduled = new Map(
      eventsNamed(history, 'ActivityTaskStarted').map((event) => [
        int64(event.activityTaskStartedEventAttributes?.scheduledEventId),
        int64(event.eventId),
      ])
    );
    for (const completed of eventsNamed(history, 'ActivityTaskCompleted')) {
      const attributes = completed.activityTaskCompletedEventAttributes;
      expect(int64(attributes?.startedEventId)).toBe(startedIdByScheduled.get(int64(attributes?.scheduledEventId)));
    }
    expect(eventNames(history).at(-1)).toBe('WorkflowExecutionCompleted');
  });

  runScenario('asyncActivityCompletion', async (scenario) => {
    const handle = await scenario.start('asyncCompletion', []);
    const taskToken = await scenario.waitFor('the task token', () => asyncTaskTokens.get(handle.workflowId));
    await scenario.client.activity.complete(taskToken, 'completed from outside');
    expect(await handle.result()).toBe('completed from outside');
    const history = await scenario.history(handle.workflowId);
    expect(featureEventNames(history)).toEqual([
      'WorkflowExecutionStarted',
      'ActivityTaskScheduled',
      'ActivityTaskStarted',
      'ActivityTaskCompleted',
      'WorkflowExecutionCompleted',
    ]);
  });
});
