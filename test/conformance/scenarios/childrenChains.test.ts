// Goal: child workflows, external signals and cancels, continue-as-new chains, workflow retries and the run timeout
// behave as Temporal's (TEMPORAL-API.md §5.10, §5.11, §13: parent, can, plus child failure, timeout and cancel, a
// child id already running, the parent close policy, getExternalWorkflowHandle().signal/.cancel, a workflow retry
// policy, workflowRunTimeout and a workflowExecutionTimeout across runs), as the official TypeScript SDK 1.24.0 sees
// them.
// Method: an in-process DevNode; each scenario runs once with the sticky cache on and once with maxCachedWorkflows 0
// (support/scenarioHarness.ts), asserts the client-side outcome and the §5 event shape, and replays every history
// (children and every run of a chain included).
import { CancelledFailure, TimeoutFailure, WorkflowFailedError } from '@temporalio/client';
import { describe, expect } from 'vitest';
import { countOf, eventNames, eventsIn, featureEventNames, onlyEvent } from './support/historyEvents.js';
import { int64 } from './support/protoValues.js';
import { runScenario, useScenarioNode, type ScenarioContext } from './support/scenarioHarness.js';

useScenarioNode('children-chains');

/** Starts a workflow and waits until its first task completed (its handlers are installed). */
async function startAndSettle(scenario: ScenarioContext, workflowType: string, args: unknown[], idSuffix: string) {
  const handle = await scenario.start(workflowType, args, { idSuffix });
  await scenario.waitForHistory(handle.workflowId, 'the first workflow task', (history) => {
    return countOf(history, 'WorkflowTaskCompleted') >= 1;
  });
  return handle;
}

/** Expects the child's Started event to link to the parent run and the parent's initiated event. */
async function expectParentLinks(scenario: ScenarioContext, childId: string, parentId: string, parentRunId: string) {
  const parentHistory = await scenario.history(parentId, parentRunId);
  const initiated = onlyEvent(parentHistory, 'StartChildWorkflowExecutionInitiated');
  const childHistory = await scenario.history(childId);
  const childStarted = eventsIn(childHistory)[0]?.workflowExecutionStartedEventAttributes;
  expect(childStarted?.parentWorkflowExecution?.workflowId).toBe(parentId);
  expect(childStarted?.parentWorkflowExecution?.runId).toBe(parentRunId);
  expect(int64(childStarted?.parentInitiatedEventId)).toBe(int64(initiated.eventId));
  expect(childStarted?.rootWorkflowExecution?.workflowId).toBe(parentId);
  const childStartedInParent = onlyEvent(parentHistory, 'ChildWorkflowExecutionStarted');
  expect(int64(childStartedInParent.childWorkflowExecutionStartedEventAttributes?.initiatedEventId)).toBe(
    int64(initiated.eventId)
  );
}

const childLifecycle = (closeEvent: string): string[] => [
  'WorkflowExecutionStarted',
  'StartChildWorkflowExecutionInitiated',
  'ChildWorkflowExecutionStarted',
  closeEvent,
  'WorkflowExecutionCompleted',
];

describe('children, external workflows and chains', () => {
  runScenario('executeChild', async (scenario) => {
    const parent = await scenario.start('parentExecuteChild', []);
    const childId = `${parent.workflowId}-child`;
    scenario.track(childId);
    expect(await parent.result()).toBe('child a');
    const history = await scenario.history(parent.workflowId);
    expect(featureEventNames(history)).toEqual(childLifecycle('ChildWorkflowExecutionCompleted'));
    await expectParentLinks(scenario, childId, parent.workflowId, parent.firstExecutionRunId);
    expect(eventNames(await scenario.history(childId)).at(-1)).toBe('WorkflowExecutionCompleted');
  });

  runScenario('startChild', async (scenario) => {
    const parent = await scenario.start('parentStartChild', []);
    const childId = `${parent.workflowId}-child`;
    scenario.track(childId);
    expect(await parent.result()).toEqual([childId, 'has-run-id', 'child b']);
    const history = await scenario.history(parent.workflowId);
    expect(featureEventNames(history)).toEqual(childLifecycle('ChildWorkflowExecutionCompleted'));
    await expectParentLinks(scenario, childId, parent.workflowId, parent.firstExecutionRunId);
  });

  runScenario('childFailurePropagates', async (scenario) => {
    const parent = await scenario.start('parentChildFails', []);
    const childId = `${parent.workflowId}-child`;
    scenario.track(childId);
    expect(await parent.result()).toEqual({
      failure: 'ChildWorkflowFailure',
      childWorkflowId: childId,
      cause: 'ApplicationFailure',
      causeType: 'ChildBroke',
      causeMessage: 'child failed on purpose',
    });
    const history = await scenario.history(parent.workflowId);
    expect(featureEventNames(history)).toEqual(childLifecycle('ChildWorkflowExecutionFailed'));
    const failed = onlyEvent(history, 'ChildWorkflowExecutionFailed').childWorkflowExecutionFailedEventAttributes;
    expect(failed?.failure?.applicationFailureInfo?.type).toBe('ChildBroke');
    expect(eventNames(await scenario.history(childId)).at(-1)).toBe('WorkflowExecutionFailed');
  });

  runScenario('childRunTimeout', async (scenario) => {
    const parent = await scenario.start('parentChildTimesOut', []);
    const childId = `${parent.workflowId}-child`;
    scenario.track(childId);
    expect(await parent.result()).toEqual({
      failure: 'ChildWorkflowFailure',
      cause: 'TimeoutFailure',
      timeoutType: 'START_TO_CLOSE',
    });
    expect(featureEventNames(await scenario.history(parent.workflowId))).toEqual(
      childLifecycle('ChildWorkflowExecutionTimedOut')
    );
    expect(eventNames(await scenario.history(childId)).at(-1)).toBe('WorkflowExecutionTimedOut');
  });

  runScenario('childCancelled', async (scenario) => {
    const parent = await scenario.start('parentCancelsChild', []);
    const childId = `${parent.workflowId}-child`;
    scenario.track(childId);
    expect(await parent.result()).toEqual({
      failure: 'ChildWorkflowFailure',
      cause: 'CancelledFailure',
      isCancellation: true,
    });
    expect(featureEventNames(await scenario.history(parent.workflowId))).toEqual([
      'WorkflowExecutionStarted',
      'StartChildWorkflowExecutionInitiated',
      'ChildWorkflowExecutionStarted',
      'RequestCancelExternalWorkflowExecutionInitiated',
      'ExternalWorkflowExecutionCancelRequested',
      'ChildWorkflowExecutionCanceled',
      'WorkflowExecutionCompleted',
    ]);
    const childHistory = await scenario.history(childId);
    expect(countOf(childHistory, 'WorkflowExecutionCancelRequested')).toBe(1);
    expect(eventNames(childHistory).at(-1)).toBe('WorkflowExecutionCanceled');
  });

  runScenario('childAlreadyStarted', async (scenario) => {
    const existing = await startAndSettle(scenario, 'waitForRelease', [], 'existing');
    const parent = await scenario.start('parentChildConflict', [existing.workflowId]);
    expect(await parent.result()).toBe('WorkflowExecutionAlreadyStartedError');
    const history = await scenario.history(parent.workflowId);
    expect(featureEventNames(history)).toEqual([
      'WorkflowExecutionStarted',
      'StartChildWorkflowExecutionInitiated',
      'StartChildWorkflowExecutionFailed',
      'WorkflowExecutionCompleted',
    ]);
    const failed = onlyEvent(history, 'StartChildWorkflowExecutionFailed');
    expect(failed.startChildWorkflowExecutionFailedEventAttributes?.workflowId).toBe(existing.workflowId);
    await existing.signal('release');
    expect(await existing.result()).toBe('released');
  });

  runScenario('parentCloseTerminatesChild', async (scenario) => {
    const parent = await scenario.start('parentLeavesChildRunning', []);
    const childId = `${parent.workflowId}-child`;
    scenario.track(childId);
    expect(await parent.result()).toBe(childId);
    // The default parent close policy TERMINATE ends the still-sleeping child when the parent closes (§5.10).
    const childHistory = await scenario.waitForHistory(childId, 'the child to be terminated', (history) => {
      return eventNames(history).at(-1) === 'WorkflowExecutionTerminated';
    });
    // The child may or may not have run its first task (and started its timer) before the parent closed.
    expect(featureEventNames(childHistory).filter((name) => name !== 'TimerStarted')).toEqual([
      'WorkflowExecutionStarted',
      'WorkflowExecutionTerminated',
    ]);
    expect((await scenario.client.workflow.getHandle(childId).describe()).status.name).toBe('TERMINATED');
  });

  runScenario('workflowRetryPolicy', async (scenario) => {
    const handle = await scenario.start('failing', [], { retry: { maximumAttempts: 2, initialInterval: '100ms' } });
    const error = await handle.result().then(
      () => undefined,
      (reason: unknown) => reason
    );
    // The client follows newExecutionRunId to the last attempt's failure (§5.10, §5.11).
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).retryState).toBe('MAXIMUM_ATTEMPTS_REACHED');
    const firstRun = await scenario.history(handle.workflowId, handle.firstExecutionRunId);
    const firstFailed = onlyEvent(firstRun, 'WorkflowExecutionFailed').workflowExecutionFailedEventAttributes;
    const secondRunId = firstFailed?.newExecutionRunId ?? '';
    expect(secondRunId).not.toBe('');
    scenario.track(handle.workflowId, secondRunId);
    const secondRun = await scenario.history(handle.workflowId, secondRunId);
    const secondStarted = eventsIn(secondRun)[0]?.workflowExecutionStartedEventAttributes;
    expect(secondStarted?.attempt).toBe(2);
    expect(secondStarted?.firstExecutionRunId).toBe(handle.firstExecutionRunId);
    expect(secondStarted?.continuedExecutionRunId).toBe(handle.firstExecutionRunId);
    const secondFailed = onlyEvent(secondRun, 'WorkflowExecutionFailed').workflowExecutionFailedEventAttributes;
    expect(secondFailed?.newExecutionRunId ?? '').toBe('');
    expect((await scenario.client.workflow.getHandle(handle.workflowId).describe()).runId).toBe(secondRunId);
  });

  runScenario('continueAsNewChain', async (scenario) => {
    const handle = await scenario.start('continueAsNewChain', [0, 3]);
    const result = (await handle.result()) as Record<string, unknown>;
    expect(result).toMatchObject({ runIndex: 3, firstExecutionRunId: handle.firstExecutionRunId });
    // Walk the chain: four runs, each Started linked to the previous run, all with the same first run id (§5.10).
    let runId = handle.firstExecutionRunId;
    const runIds = [runId];
    for (let runIndex = 0; runIndex < 3; runIndex++) {
      const history = await scenario.history(handle.workflowId, runId);
      expect(featureEventNames(history)).toEqual(['WorkflowExecutionStarted', 'WorkflowExecutionContinuedAsNew']);
      const continued = onlyEvent(history, 'WorkflowExecutionContinuedAsNew');
      const continuedAttributes = continued.workflowExecutionContinuedAsNewEventAttributes;
      expect(continuedAttributes?.workflowType?.name).toBe('continueAsNewChain');
      expect(continuedAttributes?.taskQueue?.name).toBe(scenario.taskQueue);
      const nextRunId = continuedAttributes?.newExecutionRunId ?? '';
      const next = eventsIn(await scenario.history(handle.workflowId, nextRunId))[0];
      const started = next?.workflowExecutionStartedEventAttributes;
      expect(started?.continuedExecutionRunId).toBe(runId);
      expect(started?.firstExecutionRunId).toBe(handle.firstExecutionRunId);
      expect(started?.originalExecutionRunId).toBe(nextRunId);
      expect(started?.attempt).toBe(1);
      runId = nextRunId;
      runIds.push(runId);
    }
    expect(new Set(runIds).size).toBe(4);
    expect(result).toMatchObject({ runId, continuedFromExecutionRunId: runIds[2] });
    expect((await scenario.client.workflow.getHandle(handle.workflowId).describe()).runId).toBe(runId);
  });

  runScenario('executionTimeoutSpansRuns', async (scenario) => {
    const handle = await scenario.start('continueThenSleep', [0], { workflowExecutionTimeout: '2s' });
    const error = await handle.result().then(
      () => undefined,
      (reason: unknown) => reason
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(TimeoutFailure);
    // Both runs carry the same absolute expiration; the second run times out (§5.10).
    const firstRun = await scenario.history(handle.workflowId, handle.firstExecutionRunId);
    const continued = onlyEvent(firstRun, 'WorkflowExecutionContinuedAsNew');
    const secondRunId = continued.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? '';
    const secondRun = await scenario.history(handle.workflowId, secondRunId);
    const expirationOf = (history: typeof firstRun) =>
      int64(eventsIn(history)[0]?.workflowExecutionStartedEventAttributes?.workflowExecutionExpirationTime?.seconds);
    expect(expirationOf(firstRun)).toBeGreaterThan(0);
    expect(expirationOf(secondRun)).toBe(expirationOf(firstRun));
    expect(eventNames(secondRun).at(-1)).toBe('WorkflowExecutionTimedOut');
  });

  runScenario('signalExternalWorkflow', async (scenario) => {
    const target = await startAndSettle(scenario, 'collectSignals', [1], 'target');
    const sender = await scenario.start('signalExternal', [target.workflowId], { idSuffix: 'sender' });
    expect(await sender.result()).toBe('signalled');
    expect(await target.result()).toEqual(['from-external']);
    expect(featureEventNames(await scenario.history(sender.workflowId))).toEqual([
      'WorkflowExecutionStarted',
      'SignalExternalWorkflowExecutionInitiated',
      'ExternalWorkflowExecutionSignaled',
      'WorkflowExecutionCompleted',
    ]);
    expect(countOf(await scenario.history(target.workflowId), 'WorkflowExecutionSignaled')).toBe(1);
  });

  runScenario('cancelExternalWorkflow', async (scenario) => {
    const target = await startAndSettle(scenario, 'longSleep', [], 'target');
    const sender = await scenario.start('cancelExternal', [target.workflowId], { idSuffix: 'sender' });
    expect(await sender.result()).toBe('cancel requested');
    const error = await target.result().then(
      () => undefined,
      (reason: unknown) => reason
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(featureEventNames(await scenario.history(sender.workflowId))).toEqual([
      'WorkflowExecutionStarted',
      'RequestCancelExternalWorkflowExecutionInitiated',
      'ExternalWorkflowExecutionCancelRequested',
      'WorkflowExecutionCompleted',
    ]);
    const targetHistory = await scenario.history(target.workflowId);
    expect(featureEventNames(targetHistory)).toEqual([
      'WorkflowExecutionStarted',
      'TimerStarted',
      'WorkflowExecutionCancelRequested',
      'TimerCanceled',
      'WorkflowExecutionCanceled',
    ]);
    // The target learns who asked: the sender's execution and its initiated event (§5.10).
    const requested = onlyEvent(targetHistory, 'WorkflowExecutionCancelRequested');
    const requestedAttributes = requested.workflowExecutionCancelRequestedEventAttributes;
    expect(requestedAttributes?.externalWorkflowExecution?.workflowId).toBe(sender.workflowId);
    const senderInitiated = onlyEvent(
      await scenario.history(sender.workflowId),
      'RequestCancelExternalWorkflowExecutionInitiated'
    );
    expect(int64(requestedAttributes?.externalInitiatedEventId)).toBe(int64(senderInitiated.eventId));
  });

  runScenario('workflowRunTimeout', async (scenario) => {
    const handle = await scenario.start('longSleep', [], { workflowRunTimeout: '1s' });
    const error = await handle.result().then(
      () => undefined,
      (reason: unknown) => reason
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(TimeoutFailure);
    expect((await handle.describe()).status.name).toBe('TIMED_OUT');
    expect(eventNames(await scenario.history(handle.workflowId)).at(-1)).toBe('WorkflowExecutionTimedOut');
  });
});
