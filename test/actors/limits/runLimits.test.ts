// Goal: the per-run limits of TEMPORAL-API.md §10 hold: a command whose payloads exceed the payload limit fails the
// workflow task with PAYLOADS_TOO_LARGE and changes nothing else, and a transition that takes an open run's history
// to the event limit is followed, in the same result, by WorkflowExecutionTerminated (the run is closed).
// Method: a run driven through the real transitions (RunHarness) with small limits passed in the context.
import { describe, expect, it } from 'vitest';
import { enforceHistoryLimit } from '../../../src/actors/limits/enforceHistoryLimit.js';
import {
  defaultRunLimits,
  HISTORY_LIMIT_REASON,
  payloadDataBytes,
  RunLimitError,
  SIGNAL_REQUEST_IDS_KEPT,
} from '../../../src/actors/limits/runLimits.js';
import { completeWorkflowTask } from '../../../src/actors/workflowTask/completeWorkflowTask.js';
import { signalWorkflow } from '../../../src/actors/workflowTask/signalWorkflow.js';
import { assertHistoryShape } from '../../../src/actors/history/historyShape.js';
import { outline, RunHarness } from '../workflowTask/runHarness.js';

const payload = (bytes: number) => ({ metadata: { encoding: Buffer.from('binary/plain') }, data: Buffer.alloc(bytes) });

describe('payloadDataBytes', () => {
  it('sums the data of every payload in a command, nested or in lists, and nothing else', () => {
    const command = {
      commandType: 'COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK',
      scheduleActivityTaskCommandAttributes: {
        activityId: 'x'.repeat(50),
        input: { payloads: [payload(10), payload(20)] },
        header: { fields: { a: payload(5) } },
      },
    };
    expect(payloadDataBytes(command)).toBe(35);
    expect(payloadDataBytes({ data: Buffer.alloc(7) })).toBe(0); // not a payload: no metadata
  });
});

describe('run limits', () => {
  it('fails the workflow task with PAYLOADS_TOO_LARGE for a command over the payload limit', () => {
    const run = new RunHarness();
    const task = run.poll();
    const limits = { ...defaultRunLimits, payloadBytesMax: 100 };
    const complete = {
      commandType: 'COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION',
      completeWorkflowExecutionCommandAttributes: { result: { payloads: [payload(101)] } },
    };
    const input = { task, identity: 'w', commands: [complete], messages: [], metadata: {}, stickiness: null };
    const result = run.apply((state, context) =>
      completeWorkflowTask(state, { ...input, forceCreateNewWorkflowTask: false }, { ...context, limits })
    );
    expect(outline(result.events)).toEqual(['4 WORKFLOW_TASK_FAILED']);
    expect(result.events[0]).toMatchObject({
      workflowTaskFailedEventAttributes: { cause: 'WORKFLOW_TASK_FAILED_CAUSE_PAYLOADS_TOO_LARGE' },
    });
    expect(result.state.closeState).toBeNull();
    // At the limit exactly, the same command is accepted.
    const atLimit = new RunHarness();
    const atLimitTask = atLimit.poll();
    const exact = {
      ...complete,
      completeWorkflowExecutionCommandAttributes: { result: { payloads: [payload(100)] } },
    };
    const accepted = atLimit.apply((state, context) =>
      completeWorkflowTask(
        state,
        { ...input, task: atLimitTask, commands: [exact], forceCreateNewWorkflowTask: false },
        { ...context, limits }
      )
    );
    expect(accepted.state.status).toBe('completed');
  });

  it('terminates the run in the same result when its history reaches the event limit', () => {
    const run = new RunHarness();
    const limits = { ...defaultRunLimits, historyEventsMax: 6 };
    const signal = { signalName: 's', identity: 'c', requestId: '' };
    // Events 1–2 exist; each signal on an idle run with a scheduled task adds one event.
    for (let count = 0; count < 3; count++) {
      const result = run.apply((state, context) => {
        const limited = { ...context, limits };
        return enforceHistoryLimit(signalWorkflow(state, signal, limited), limited);
      });
      expect(result.state.closeState).toBeNull();
    }
    expect(run.state.nextEventId - 1).toBe(5);
    const last = run.apply((state, context) => {
      const limited = { ...context, limits };
      return enforceHistoryLimit(signalWorkflow(state, signal, limited), limited);
    });
    expect(outline(last.events)).toEqual(['6 WORKFLOW_EXECUTION_SIGNALED', '7 WORKFLOW_EXECUTION_TERMINATED']);
    expect(last.events[1]).toMatchObject({
      workflowExecutionTerminatedEventAttributes: { reason: HISTORY_LIMIT_REASON },
    });
    expect(last.state.status).toBe('terminated');
    expect(last.effects.some((effect) => effect.kind === 'runClosed')).toBe(true);
    assertHistoryShape(run.history);
  });

  it('refuses a signal past the per-run signal limit, and remembers only the latest signal request ids', () => {
    const run = new RunHarness();
    const limits = { ...defaultRunLimits, signalsPerRunMax: 3 };
    const signal = (requestId: string) =>
      run.apply((state, context) =>
        signalWorkflow(state, { signalName: 's', identity: 'c', requestId }, { ...context, limits })
      );
    signal('a');
    signal('b');
    signal('c');
    expect(() => signal('d')).toThrow(RunLimitError);
    expect(run.state.signalsReceivedCount).toBe(3);
    // A retried request id is still answered (no new event) at the limit: dedup comes first.
    expect(signal('c').events).toEqual([]);
    const many = new RunHarness();
    for (let index = 0; index < SIGNAL_REQUEST_IDS_KEPT + 5; index++) {
      many.apply((state, context) =>
        signalWorkflow(state, { signalName: 's', identity: 'c', requestId: `r${index}` }, context)
      );
    }
    expect(many.state.signalRequestIds).toHaveLength(SIGNAL_REQUEST_IDS_KEPT);
    expect(many.state.signalRequestIds[0]).toBe('r5');
  });

  it('counts the history payload bytes and terminates a run whose history passes the byte limit', () => {
    const run = new RunHarness();
    const limits = { ...defaultRunLimits, historyBytesMax: 1_000 };
    const signal = (bytes: number) =>
      run.apply((state, context) => {
        const limited = { ...context, limits };
        const input = { signalName: 's', identity: 'c', requestId: '', input: { payloads: [payload(bytes)] } };
        return enforceHistoryLimit(signalWorkflow(state, input, limited), limited);
      });
    signal(600);
    expect(run.state.historyPayloadBytes).toBe(600);
    expect(run.state.closeState).toBeNull();
    const crossing = signal(400);
    expect(outline(crossing.events).at(-1)).toMatch(/WORKFLOW_EXECUTION_TERMINATED$/);
    expect(run.state.status).toBe('terminated');
  });
});
