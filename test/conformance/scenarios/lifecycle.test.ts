// Goal: the client-side life cycle of a workflow behaves as Temporal's (TEMPORAL-API.md §5.10, §9, §13:
// cancellable, failing, terminate, plus describe, list/count, memo, search attributes, start conflicts, start delay,
// requestId dedup of start and signal, getHandle().result() and WorkflowNotFoundError), as the official TypeScript
// SDK 1.24.0 sees it.
// Method: an in-process DevNode; each scenario runs once with the sticky cache on and once with maxCachedWorkflows 0
// (support/scenarioHarness.ts), asserts the client-side outcome and the §5 event shape, and replays every history.
import {
  ApplicationFailure,
  CancelledFailure,
  defaultPayloadConverter,
  TerminatedFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
} from '@temporalio/client';
import { describe, expect } from 'vitest';
import { activityLog } from './activities/activityLog.js';
import { countOf, eventNames, eventsIn, featureEventNames, onlyEvent } from './support/historyEvents.js';
import { durationMs, eventTimeMs } from './support/protoValues.js';
import { delay, runScenario, useScenarioNode, type ScenarioContext } from './support/scenarioHarness.js';

useScenarioNode('lifecycle');

/** Waits until the workflow's first task completed (its handlers and timers exist). */
async function settle(scenario: ScenarioContext, workflowId: string): Promise<void> {
  await scenario.waitForHistory(workflowId, 'the first workflow task', (history) => {
    return countOf(history, 'WorkflowTaskCompleted') >= 1;
  });
}

/** The rejection of `promise` (undefined when it resolves). */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return await promise.then(
    () => undefined,
    (reason: unknown) => reason
  );
}

describe('workflow life cycle', () => {
  runScenario('cancellable', async (scenario) => {
    const handle = await scenario.start('cancellable', []);
    await settle(scenario, handle.workflowId);
    await handle.cancel();
    const error = await rejectionOf(handle.result());
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(activityLog.get(`${handle.workflowId}/cleanup`)).toBe('after-cancel');
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    await expect(handle.cancel()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect(featureEventNames(await scenario.history(handle.workflowId))).toEqual([
      'WorkflowExecutionStarted',
      'TimerStarted',
      'WorkflowExecutionCancelRequested',
      'TimerCanceled',
      'ActivityTaskScheduled',
      'ActivityTaskStarted',
      'ActivityTaskCompleted',
      'WorkflowExecutionCanceled',
    ]);
  });

  runScenario('failing', async (scenario) => {
    const handle = await scenario.start('failing', []);
    const error = await rejectionOf(handle.result());
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('Boom');
    expect((cause as ApplicationFailure).message).toBe('workflow failed on purpose');
    expect((cause as ApplicationFailure).details).toEqual(['detail-1']);
    expect((await handle.describe()).status.name).toBe('FAILED');
    const history = await scenario.history(handle.workflowId);
    expect(eventNames(history)).toEqual([
      'WorkflowExecutionStarted',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskCompleted',
      'WorkflowExecutionFailed',
    ]);
    const failed = onlyEvent(history, 'WorkflowExecutionFailed').workflowExecutionFailedEventAttributes;
    expect(failed?.failure?.applicationFailureInfo?.type).toBe('Boom');
  });

  runScenario('terminate', async (scenario) => {
    const handle = await scenario.start('longSleep', []);
    await settle(scenario, handle.workflowId);
    await handle.terminate('terminated by the conformance suite');
    const error = await rejectionOf(handle.result());
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(TerminatedFailure);
    expect(cause?.message).toBe('terminated by the conformance suite');
    expect((await handle.describe()).status.name).toBe('TERMINATED');
    const history = await scenario.history(handle.workflowId);
    expect(featureEventNames(history)).toEqual([
      'WorkflowExecutionStarted',
      'TimerStarted',
      'WorkflowExecutionTerminated',
    ]);
    const terminated = onlyEvent(history, 'WorkflowExecutionTerminated');
    expect(terminated.workflowExecutionTerminatedEventAttributes?.reason).toBe('terminated by the conformance suite');
    await expect(handle.terminate('again')).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  runScenario('describe', async (scenario) => {
    const handle = await scenario.start('waitForRelease', []);
    await settle(scenario, handle.workflowId);
    const running = await handle.describe();
    expect(running.status.name).toBe('RUNNING');
    expect(running.type).toBe('waitForRelease');
    expect(running.taskQueue).toBe(scenario.taskQueue);
    expect(running.runId).toBe(handle.firstExecutionRunId);
    expect(running.historyLength).toBe(4);
    expect(running.closeTime).toBeUndefined();
    await handle.signal('release');
    await handle.result();
    const closed = await handle.describe();
    expect(closed.status.name).toBe('COMPLETED');
    expect(closed.historyLength).toBe(eventsIn(await scenario.history(handle.workflowId)).length);
    expect(closed.closeTime?.getTime()).toBeGreaterThanOrEqual(closed.startTime.getTime());
  });

  runScenario('listAndCount', async (scenario) => {
    const ids: string[] = [];
    for (const index of [1, 2, 3]) {
      const handle = await scenario.start('listed', [], { idSuffix: `listed-${index}` });
      await handle.result();
      ids.push(handle.workflowId);
    }
    const query = `WorkflowType = 'listed' AND TaskQueue = '${scenario.taskQueue}'`;
    // Visibility may lag the run (as in Temporal); wait until all three are listed, then compare exactly.
    let executions: { workflowId: string; type: string; status: string }[] = [];
    const deadline = Date.now() + 20_000;
    for (;;) {
      executions = [];
      for await (const execution of scenario.client.workflow.list({ query })) {
        executions.push({ workflowId: execution.workflowId, type: execution.type, status: execution.status.name });
      }
      if (executions.length >= 3 || Date.now() > deadline) break;
      await delay(50);
    }
    expect(executions.map((execution) => execution.workflowId).sort()).toEqual([...ids].sort());
    expect(new Set(executions.map((execution) => `${execution.type}/${execution.status}`))).toEqual(
      new Set(['listed/COMPLETED'])
    );
    expect((await scenario.client.workflow.count(query)).count).toBe(3);
  });

  runScenario('memoVisibleInDescribe', async (scenario) => {
    const memo = { owner: 'conformance', attempt: 3, nested: { ok: true } };
    const handle = await scenario.start('waitForRelease', [], { memo });
    expect((await handle.describe()).memo).toEqual(memo);
    const started = eventsIn(await scenario.history(handle.workflowId))[0];
    expect(Object.keys(started?.workflowExecutionStartedEventAttributes?.memo?.fields ?? {}).sort()).toEqual([
      'attempt',
      'nested',
      'owner',
    ]);
    await handle.signal('release');
    expect(await handle.result()).toBe('released');
  });

  runScenario('searchAttributeUpsert', async (scenario) => {
    const handle = await scenario.start('upsertThenWait', []);
    const history = await scenario.waitForHistory(handle.workflowId, 'the upsert', (events) => {
      return countOf(events, 'UpsertWorkflowSearchAttributes') === 1;
    });
    const upsert = onlyEvent(history, 'UpsertWorkflowSearchAttributes');
    expect(
      Object.keys(upsert.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {})
    ).toEqual(['CustomKeywordField']);
    expect((await handle.describe()).searchAttributes.CustomKeywordField).toEqual(['conformance-upsert']);
    await handle.signal('release');
    expect(await handle.result()).toBe('released');
  });

  runScenario('startConflict', async (scenario) => {
    const handle = await scenario.start('waitForRelease', []);
    const error = await rejectionOf(
      scenario.client.workflow.start('waitForRelease', { taskQueue: scenario.taskQueue, workflowId: handle.workflowId })
    );
    expect(error).toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    expect((error as WorkflowExecutionAlreadyStartedError).workflowId).toBe(handle.workflowId);
    await handle.signal('release');
    expect(await handle.result()).toBe('released');
    expect(countOf(await scenario.history(handle.workflowId), 'WorkflowExecutionStarted')).toBe(1);
  });

  runScenario('startDedupByRequestId', async (scenario) => {
    // A retried start (same requestId) returns the run it started instead of ALREADY_EXISTS (§9).
    const request = {
      namespace: 'default',
      workflowId: scenario.id(),
      workflowType: { name: 'echo' },
      taskQueue: { name: scenario.taskQueue },
      input: { payloads: [defaultPayloadConverter.toPayload('deduplicated')] },
      identity: 'conformance-suite',
      requestId: `${scenario.id()}-request`,
    };
    const first = await scenario.connection.workflowService.startWorkflowExecution(request);
    const again = await scenario.connection.workflowService.startWorkflowExecution(request);
    expect(again.runId).toBe(first.runId);
    scenario.track(request.workflowId, first.runId);
    expect(await scenario.client.workflow.getHandle(request.workflowId).result()).toBe('deduplicated');
    expect(countOf(await scenario.history(request.workflowId), 'WorkflowExecutionStarted')).toBe(1);
  });

  runScenario('signalDedupByRequestId', async (scenario) => {
    // A retried signal (same requestId) is written once (§5.8).
    const handle = await scenario.start('collectSignals', [2]);
    const request = {
      namespace: 'default',
      workflowExecution: { workflowId: handle.workflowId },
      signalName: 'add',
      input: { payloads: [defaultPayloadConverter.toPayload('once')] },
      identity: 'conformance-suite',
      requestId: `${handle.workflowId}-signal`,
    };
    await scenario.connection.workflowService.signalWorkflowExecution(request);
    await scenario.connection.workflowService.signalWorkflowExecution(request);
    await handle.signal('add', 'second');
    expect(await handle.result()).toEqual(['once', 'second']);
    expect(countOf(await scenario.history(handle.workflowId), 'WorkflowExecutionSignaled')).toBe(2);
  });

  runScenario('startDelay', async (scenario) => {
    const handle = await scenario.start('echo', ['delayed'], { startDelay: '1s' });
    expect(await handle.result()).toBe('delayed');
    // The first workflow task waits for the start delay, never less (§5.1, §8).
    const history = await scenario.history(handle.workflowId);
    const [started, firstTask] = eventsIn(history);
    expect(durationMs(started?.workflowExecutionStartedEventAttributes?.firstWorkflowTaskBackoff)).toBe(1_000);
    expect(eventNames(history).slice(0, 2)).toEqual(['WorkflowExecutionStarted', 'WorkflowTaskScheduled']);
    expect(eventTimeMs(firstTask) - eventTimeMs(started)).toBeGreaterThanOrEqual(1_000);
  });

  runScenario('getHandleResultOfCompleted', async (scenario) => {
    const handle = await scenario.start('echo', ['kept']);
    expect(await handle.result()).toBe('kept');
    expect(await scenario.client.workflow.getHandle(handle.workflowId).result()).toBe('kept');
    expect(await scenario.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).result()).toBe(
      'kept'
    );
  });

  runScenario('workflowNotFound', async (scenario) => {
    const unknown = scenario.client.workflow.getHandle(scenario.id('never-started'));
    await expect(unknown.describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    await expect(unknown.result()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    await expect(unknown.signal('release')).rejects.toBeInstanceOf(WorkflowNotFoundError);
    await expect(unknown.terminate()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    // A closed run takes no more signals (§5.8).
    const closed = await scenario.start('echo', ['done']);
    await closed.result();
    await expect(closed.signal('release')).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });
});
