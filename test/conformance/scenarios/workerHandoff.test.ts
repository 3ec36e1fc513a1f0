// Goal: a run outlives the worker that cached it (TEMPORAL-API.md §5.6, §5.8, §13 extra checks): after a graceful
// worker shutdown (ShutdownWorker clears stickiness at once), a second worker on the same task queue takes the next
// workflow task from the normal queue without waiting for the sticky timeout, and answers queries.
// Method: an in-process DevNode; each scenario runs once with the sticky cache on and once with maxCachedWorkflows 0
// (support/scenarioHarness.ts). The body runs its own first worker until the workflow's first task completed, shuts
// it down, then finishes the run with a second worker; the history must hold no WorkflowTaskTimedOut.
import { describe, expect } from 'vitest';
import { countOf, eventsNamed } from './support/historyEvents.js';
import { taskQueueKindName } from './support/protoValues.js';
import { runScenario, useScenarioNode, type ScenarioContext } from './support/scenarioHarness.js';

useScenarioNode('worker-handoff');

/** Starts `workflowType` on `<taskQueue>-handoff` under a first worker and shuts that worker down after one task. */
async function startUnderFirstWorker(scenario: ScenarioContext, workflowType: string) {
  const taskQueue = `${scenario.taskQueue}-handoff`;
  const firstWorker = await scenario.newWorker(taskQueue);
  const handle = await firstWorker.runUntil(async () => {
    const started = await scenario.start(workflowType, [], { taskQueue });
    await scenario.waitForHistory(started.workflowId, 'the first workflow task', (history) => {
      return countOf(history, 'WorkflowTaskCompleted') >= 1;
    });
    return started;
  });
  return { handle, secondWorker: await scenario.newWorker(taskQueue), taskQueue };
}

describe('worker hand-off', () => {
  runScenario('signalAfterWorkerShutdown', async (scenario) => {
    const { handle, secondWorker, taskQueue } = await startUnderFirstWorker(scenario, 'waitForRelease');
    await handle.signal('release');
    expect(await secondWorker.runUntil(handle.result())).toBe('released');
    const history = await scenario.history(handle.workflowId);
    expect(countOf(history, 'WorkflowTaskTimedOut')).toBe(0);
    const [, afterSignal] = eventsNamed(history, 'WorkflowTaskScheduled');
    const queue = afterSignal?.workflowTaskScheduledEventAttributes?.taskQueue;
    expect(queue?.name).toBe(taskQueue);
    expect(taskQueueKindName(queue?.kind)).toBe('TASK_QUEUE_KIND_NORMAL');
  });

  runScenario('queryAfterWorkerShutdown', async (scenario) => {
    const { handle, secondWorker } = await startUnderFirstWorker(scenario, 'queryable');
    const state = await secondWorker.runUntil(async () => {
      const answer = await handle.query('state');
      await handle.signal('release');
      await handle.result();
      return answer;
    });
    expect(state).toBe('waiting');
    expect(countOf(await scenario.history(handle.workflowId), 'WorkflowTaskTimedOut')).toBe(0);
  });
});
