// Goal: history reads, determinism helpers, patches, updates and workflow-task failures behave as Temporal's
// (TEMPORAL-API.md §5.3, §5.5, §5.9, §5.11, §13: history, sideEffects, patchedWf, updates, wftFail, plus validator
// rejection, startUpdate and updateId dedup), as the official TypeScript SDK 1.24.0 sees them.
// Method: an in-process DevNode; each scenario runs once with the sticky cache on and once with maxCachedWorkflows 0
// (support/scenarioHarness.ts), asserts the client-side outcome and the §5 event shape, and replays every history.
import {
  ApplicationFailure,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateStage,
} from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { describe, expect } from 'vitest';
import {
  countOf,
  eventIds,
  eventNames,
  eventsIn,
  eventsNamed,
  featureEventNames,
  onlyEvent,
} from './support/historyEvents.js';
import { eventTimeMs, int64 } from './support/protoValues.js';
import { runScenario, useScenarioNode } from './support/scenarioHarness.js';

useScenarioNode('history-updates');

/** The history of `sequentialSleeps(count)`: one timer per workflow task. */
function sequentialSleepsShape(count: number): string[] {
  const task = ['WorkflowTaskScheduled', 'WorkflowTaskStarted', 'WorkflowTaskCompleted'];
  const sleeps = Array.from({ length: count }, () => [...task, 'TimerStarted', 'TimerFired']).flat();
  return ['WorkflowExecutionStarted', ...sleeps, ...task, 'WorkflowExecutionCompleted'];
}

const unhandledFailureCause =
  temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE;

describe('history, versioning, updates and workflow-task failures', () => {
  runScenario('historyFullOrderedPaged', async (scenario) => {
    const handle = await scenario.start('sequentialSleeps', [10]);
    expect(await handle.result()).toBe(10);
    const history = await scenario.history(handle.workflowId);
    expect(eventNames(history)).toEqual(sequentialSleepsShape(10));
    expect(eventIds(history)).toEqual(Array.from({ length: 55 }, (_, index) => index + 1));
    const events = eventsIn(history);
    for (let index = 1; index < events.length; index++) {
      const [previous, current] = [events[index - 1], events[index]];
      if (previous === undefined || current === undefined) throw new Error('history has holes');
      expect(eventTimeMs(current)).toBeGreaterThanOrEqual(eventTimeMs(previous));
      expect(int64(current.taskId)).toBeGreaterThanOrEqual(int64(previous.taskId));
    }
    // Pages of 5 events, concatenated, are the same history (§5.11).
    const pagedIds: number[] = [];
    let pages = 0;
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await scenario.connection.workflowService.getWorkflowExecutionHistory({
        namespace: 'default',
        execution: { workflowId: handle.workflowId, runId: handle.firstExecutionRunId },
        maximumPageSize: 5,
        nextPageToken,
      });
      const pageEvents = page.history?.events ?? [];
      expect(pageEvents.length).toBeLessThanOrEqual(5);
      pagedIds.push(...pageEvents.map((event) => int64(event.eventId)));
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
      pages++;
    } while (nextPageToken !== undefined && pages < 100);
    expect(pagedIds).toEqual(eventIds(history));
    expect(pages).toBeGreaterThanOrEqual(11);
  });

  runScenario('sideEffectsStableUnderReplay', async (scenario) => {
    const handle = await scenario.start('sideEffects', []);
    const values = (await handle.result()) as { uuid: string; random: number };
    expect(values.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(values.random).toBeGreaterThanOrEqual(0);
    expect(values.random).toBeLessThan(1);
    // The query on the closed run replays the history (always so without a cache): same draws.
    expect(await handle.query('values')).toEqual(values);
    // uuid4 and Math.random never reach the server (§5.5).
    expect(eventNames(await scenario.history(handle.workflowId))).toEqual(sequentialSleepsShape(1));
  });

  runScenario('patchedMarkerAndChangeVersion', async (scenario) => {
    const handle = await scenario.start('patchedWorkflow', []);
    expect(await handle.result()).toBe('patched');
    const history = await scenario.history(handle.workflowId);
    const features = featureEventNames(history);
    expect(features[0]).toBe('WorkflowExecutionStarted');
    expect(features.slice(1, 3).sort()).toEqual(['MarkerRecorded', 'UpsertWorkflowSearchAttributes']);
    expect(features.slice(3)).toEqual(['TimerStarted', 'TimerFired', 'WorkflowExecutionCompleted']);
    expect(onlyEvent(history, 'MarkerRecorded').markerRecordedEventAttributes?.markerName).toBe('core_patch');
    const upsert = onlyEvent(history, 'UpsertWorkflowSearchAttributes').upsertWorkflowSearchAttributesEventAttributes;
    expect(Object.keys(upsert?.searchAttributes?.indexedFields ?? {})).toEqual(['TemporalChangeVersion']);
    expect((await handle.describe()).searchAttributes.TemporalChangeVersion).toEqual(['cairn-patch-1']);
  });

  runScenario('executeUpdate', async (scenario) => {
    const handle = await scenario.start('updatable', []);
    expect(await handle.executeUpdate('increment', { args: [2], updateId: 'update-1' })).toBe(2);
    await handle.signal('release');
    expect(await handle.result()).toBe(2);
    const history = await scenario.history(handle.workflowId);
    expect(featureEventNames(history)).toEqual([
      'WorkflowExecutionStarted',
      'WorkflowExecutionUpdateAccepted',
      'WorkflowExecutionUpdateCompleted',
      'WorkflowExecutionSignaled',
      'WorkflowExecutionCompleted',
    ]);
    const accepted = onlyEvent(history, 'WorkflowExecutionUpdateAccepted');
    const acceptedAttributes = accepted.workflowExecutionUpdateAcceptedEventAttributes;
    expect(acceptedAttributes?.protocolInstanceId).toBe('update-1');
    expect(acceptedAttributes?.acceptedRequest?.input?.name).toBe('increment');
    const completed = onlyEvent(history, 'WorkflowExecutionUpdateCompleted');
    const completedAttributes = completed.workflowExecutionUpdateCompletedEventAttributes;
    expect(int64(completedAttributes?.acceptedEventId)).toBe(int64(accepted.eventId));
    expect(completedAttributes?.meta?.updateId).toBe('update-1');
    // A closed run takes no more updates (NOT_FOUND, §9).
    await expect(handle.executeUpdate('increment', { args: [1] })).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  runScenario('updateValidatorRejects', async (scenario) => {
    const handle = await scenario.start('updatable', []);
    const error = await handle.executeUpdate('increment', { args: [-1] }).then(
      () => undefined,
      (reason: unknown) => reason
    );
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (error as WorkflowUpdateFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause?.message).toBe('increment must not be negative, got -1');
    expect(await handle.query('counter')).toBe(0);
    await handle.signal('release');
    expect(await handle.result()).toBe(0);
    // A rejected update writes no event (§5.9).
    const history = await scenario.history(handle.workflowId);
    expect(countOf(history, 'WorkflowExecutionUpdateAccepted')).toBe(0);
    expect(countOf(history, 'WorkflowExecutionUpdateCompleted')).toBe(0);
  });

  runScenario('startUpdateThenResult', async (scenario) => {
    const handle = await scenario.start('updatable', []);
    const update = await handle.startUpdate('increment', {
      args: [5],
      updateId: 'started-update',
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    expect(update.updateId).toBe('started-update');
    expect(await update.result()).toBe(5);
    expect(await handle.getUpdateHandle<number>('started-update').result()).toBe(5);
    await handle.signal('release');
    expect(await handle.result()).toBe(5);
    const history = await scenario.history(handle.workflowId);
    expect(countOf(history, 'WorkflowExecutionUpdateAccepted')).toBe(1);
    expect(countOf(history, 'WorkflowExecutionUpdateCompleted')).toBe(1);
  });

  runScenario('updateDedupById', async (scenario) => {
    const handle = await scenario.start('updatable', []);
    expect(await handle.executeUpdate('increment', { args: [3], updateId: 'same-update' })).toBe(3);
    expect(await handle.executeUpdate('increment', { args: [3], updateId: 'same-update' })).toBe(3);
    expect(await handle.query('counter')).toBe(3);
    await handle.signal('release');
    expect(await handle.result()).toBe(3);
    const history = await scenario.history(handle.workflowId);
    expect(eventsNamed(history, 'WorkflowExecutionUpdateAccepted')).toHaveLength(1);
    expect(eventsNamed(history, 'WorkflowExecutionUpdateCompleted')).toHaveLength(1);
  });

  runScenario(
    'workflowTaskFailureRetried',
    async (scenario) => {
      const handle = await scenario.start('wftFail', []);
      expect(await handle.result()).toBe('recovered');
      const history = await scenario.history(handle.workflowId);
      // Attempt 1 fails and is written; later attempts are transient until one succeeds (§5.3).
      expect(eventNames(history)).toEqual([
        'WorkflowExecutionStarted',
        'WorkflowTaskScheduled',
        'WorkflowTaskStarted',
        'WorkflowTaskFailed',
        'WorkflowTaskScheduled',
        'WorkflowTaskStarted',
        'WorkflowTaskCompleted',
        'WorkflowExecutionCompleted',
      ]);
      const [firstTask, retriedTask] = eventsNamed(history, 'WorkflowTaskScheduled');
      expect(firstTask?.workflowTaskScheduledEventAttributes?.attempt).toBe(1);
      expect(retriedTask?.workflowTaskScheduledEventAttributes?.attempt).toBeGreaterThanOrEqual(2);
      const failed = onlyEvent(history, 'WorkflowTaskFailed').workflowTaskFailedEventAttributes;
      expect(failed?.failure?.message).toBe('workflow task fails on purpose until 5 s of workflow time have passed');
      expect(failed?.cause).toBe(unhandledFailureCause);
    },
    { deadlineMs: 40_000 }
  );
});
