// Goal: timers, conditions, signals, queries and signal-with-start behave as Temporal's (TEMPORAL-API.md §5.5,
// §5.8, §13: timers, signalsQueries, signalWithStart, plus condition timeouts, unknown queries, queryRejectCondition,
// signals racing a closing task and signal-with-start on a running workflow), as the official TypeScript SDK 1.24.0
// sees them.
// Method: an in-process DevNode; each scenario runs once with the sticky cache on and once with maxCachedWorkflows 0
// (support/scenarioHarness.ts), asserts the client-side outcome and the §5 event shape, and replays every history.
import { Client, QueryNotRegisteredError, QueryRejectedError, WorkflowNotFoundError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { describe, expect } from 'vitest';
import { countOf, eventNames, eventsNamed, featureEventNames, onlyEvent } from './support/historyEvents.js';
import { durationMs, int64 } from './support/protoValues.js';
import { runScenario, useScenarioNode } from './support/scenarioHarness.js';

useScenarioNode('timers-signals');

const completedStatus = temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED;

/** Whether the first workflow task has completed (handlers are installed from then on). */
const firstTaskCompleted = (history: Parameters<typeof countOf>[0]): boolean =>
  countOf(history, 'WorkflowTaskCompleted') >= 1;

describe('timers, signals and queries', () => {
  runScenario('timer', async (scenario) => {
    const handle = await scenario.start('timer', [1_500]);
    // Workflow time is the WFT start time: a timer never fires early (§8).
    expect(await handle.result()).toBeGreaterThanOrEqual(1_500);
    const history = await scenario.history(handle.workflowId);
    expect(eventNames(history)).toEqual([
      'WorkflowExecutionStarted',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskCompleted',
      'TimerStarted',
      'TimerFired',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskCompleted',
      'WorkflowExecutionCompleted',
    ]);
    const started = onlyEvent(history, 'TimerStarted');
    expect(int64(started.timerStartedEventAttributes?.workflowTaskCompletedEventId)).toBe(4);
    expect(durationMs(started.timerStartedEventAttributes?.startToFireTimeout)).toBe(1_500);
    const fired = onlyEvent(history, 'TimerFired').timerFiredEventAttributes;
    expect(fired?.timerId).toBe(started.timerStartedEventAttributes?.timerId);
    expect(int64(fired?.startedEventId)).toBe(int64(started.eventId));
  });

  runScenario('timerRaceCancelsLoser', async (scenario) => {
    const handle = await scenario.start('timerRace', []);
    expect(await handle.result()).toBe('short');
    const history = await scenario.history(handle.workflowId);
    expect(featureEventNames(history)).toEqual([
      'WorkflowExecutionStarted',
      'TimerStarted',
      'TimerStarted',
      'TimerFired',
      'TimerCanceled',
      'WorkflowExecutionCompleted',
    ]);
    const [long, short] = eventsNamed(history, 'TimerStarted');
    expect(durationMs(long?.timerStartedEventAttributes?.startToFireTimeout)).toBe(10_000);
    expect(durationMs(short?.timerStartedEventAttributes?.startToFireTimeout)).toBe(300);
    expect(onlyEvent(history, 'TimerFired').timerFiredEventAttributes?.timerId).toBe(
      short?.timerStartedEventAttributes?.timerId
    );
    expect(onlyEvent(history, 'TimerCanceled').timerCanceledEventAttributes?.timerId).toBe(
      long?.timerStartedEventAttributes?.timerId
    );
  });

  runScenario('conditionWithTimeout', async (scenario) => {
    const handle = await scenario.start('conditionTimeout', []);
    await scenario.waitForHistory(handle.workflowId, 'the second condition timer', (history) => {
      return countOf(history, 'TimerStarted') === 2;
    });
    await handle.signal('release');
    expect(await handle.result()).toEqual([false, true]);
    const history = await scenario.history(handle.workflowId);
    expect(featureEventNames(history)).toEqual([
      'WorkflowExecutionStarted',
      'TimerStarted',
      'TimerFired',
      'TimerStarted',
      'WorkflowExecutionSignaled',
      'TimerCanceled',
      'WorkflowExecutionCompleted',
    ]);
  });

  runScenario('signalsReleaseCondition', async (scenario) => {
    const handle = await scenario.start('collectSignals', [3]);
    for (const item of ['one', 'two', 'three']) await handle.signal('add', item);
    expect(await handle.result()).toEqual(['one', 'two', 'three']);
    const history = await scenario.history(handle.workflowId);
    const signaled = eventsNamed(history, 'WorkflowExecutionSignaled');
    expect(signaled.map((event) => event.workflowExecutionSignaledEventAttributes?.signalName)).toEqual([
      'add',
      'add',
      'add',
    ]);
    expect(eventNames(history).at(-1)).toBe('WorkflowExecutionCompleted');
    expect(countOf(history, 'WorkflowExecutionCompleted')).toBe(1);
  });

  runScenario('signalsDuringClosingTaskAreNotLost', async (scenario) => {
    // The workflow completes on its first signal; more signals race the completing task. Each accepted signal is
    // in history and seen by the workflow (the completion is refused with UnhandledCommand while signals are
    // buffered, §5.2); a signal that arrives after the close gets NOT_FOUND.
    const handle = await scenario.start('collectSignals', [1]);
    await scenario.waitForHistory(handle.workflowId, 'the first workflow task', firstTaskCompleted);
    const sends = await Promise.allSettled(
      Array.from({ length: 8 }, (_, index) => handle.signal('add', `storm-${index}`))
    );
    const accepted = sends.filter((send) => send.status === 'fulfilled').length;
    for (const send of sends) {
      if (send.status === 'rejected') expect(send.reason).toBeInstanceOf(WorkflowNotFoundError);
    }
    const items = (await handle.result()) as string[];
    const history = await scenario.history(handle.workflowId);
    expect(countOf(history, 'WorkflowExecutionSignaled')).toBe(accepted);
    expect(items).toHaveLength(accepted);
    expect(eventNames(history).at(-1)).toBe('WorkflowExecutionCompleted');
    expect(countOf(history, 'WorkflowExecutionCompleted')).toBe(1);
  });

  runScenario('queryWhileRunningAndAfterCompletion', async (scenario) => {
    const handle = await scenario.start('queryable', []);
    await scenario.waitForHistory(handle.workflowId, 'the first workflow task', firstTaskCompleted);
    expect(await handle.query('state')).toBe('waiting');
    await handle.signal('release');
    expect(await handle.result()).toBe('done');
    expect(await handle.query('state')).toBe('done');
    // Queries never reach history (§5.8).
    const history = await scenario.history(handle.workflowId);
    expect(featureEventNames(history)).toEqual([
      'WorkflowExecutionStarted',
      'WorkflowExecutionSignaled',
      'WorkflowExecutionCompleted',
    ]);
  });

  runScenario('queryRejectConditionNotOpen', async (scenario) => {
    const handle = await scenario.start('queryable', []);
    await scenario.waitForHistory(handle.workflowId, 'the first workflow task', firstTaskCompleted);
    await handle.signal('release');
    expect(await handle.result()).toBe('done');
    // A client that rejects queries on closed runs gets the run's status instead of an answer (§5.8).
    const rejecting = new Client({ connection: scenario.connection, workflow: { queryRejectCondition: 'NOT_OPEN' } });
    const error = await rejecting.workflow
      .getHandle(handle.workflowId)
      .query('state')
      .then(
        () => undefined,
        (reason: unknown) => reason
      );
    expect(error).toBeInstanceOf(QueryRejectedError);
    expect((error as QueryRejectedError).status).toBe(completedStatus);
  });

  runScenario('unknownQueryType', async (scenario) => {
    const handle = await scenario.start('queryable', []);
    await scenario.waitForHistory(handle.workflowId, 'the first workflow task', firstTaskCompleted);
    await expect(handle.query('noSuchQuery')).rejects.toBeInstanceOf(QueryNotRegisteredError);
    await handle.signal('release');
    expect(await handle.result()).toBe('done');
  });

  runScenario('signalWithStart', async (scenario) => {
    const handle = await scenario.client.workflow.signalWithStart('collectSignals', {
      taskQueue: scenario.taskQueue,
      workflowId: scenario.id(),
      args: [1],
      signal: 'add',
      signalArgs: ['first'],
    });
    scenario.track(handle.workflowId, handle.signaledRunId);
    expect(await handle.result()).toEqual(['first']);
    const history = await scenario.history(handle.workflowId);
    // One call writes Started, Signaled, then the first WFT (§5.8).
    expect(eventNames(history).slice(0, 3)).toEqual([
      'WorkflowExecutionStarted',
      'WorkflowExecutionSignaled',
      'WorkflowTaskScheduled',
    ]);
    expect(onlyEvent(history, 'WorkflowExecutionSignaled').workflowExecutionSignaledEventAttributes?.signalName).toBe(
      'add'
    );
  });

  runScenario('signalWithStartOnRunningWorkflow', async (scenario) => {
    const first = await scenario.start('collectSignals', [2]);
    await scenario.waitForHistory(first.workflowId, 'the first workflow task', firstTaskCompleted);
    const again = await scenario.client.workflow.signalWithStart('collectSignals', {
      taskQueue: scenario.taskQueue,
      workflowId: first.workflowId,
      args: [2],
      signal: 'add',
      signalArgs: ['via-signal-with-start'],
    });
    // The running run was signalled; no second run was started (§5.8).
    expect(again.signaledRunId).toBe(first.firstExecutionRunId);
    await first.signal('add', 'via-signal');
    expect(await first.result()).toEqual(['via-signal-with-start', 'via-signal']);
    const history = await scenario.history(first.workflowId, first.firstExecutionRunId);
    expect(countOf(history, 'WorkflowExecutionStarted')).toBe(1);
    expect(countOf(history, 'WorkflowExecutionSignaled')).toBe(2);
  });
});
