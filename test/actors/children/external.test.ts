/**
 * Goal: SIGNAL_EXTERNAL and REQUEST_CANCEL_EXTERNAL (TEMPORAL-API.md §5.10) write their Initiated events and outbox
 * items; externalDelivered / externalFailed write the source's answer events with the initiated id and remove the
 * request; a retried delivery reaches the target once (dedupKey as requestId); limits and bad commands fail the task.
 * Method: a source and a target harness driven as the host would; outlines, attributes and outbox checks.
 */

import { describe, expect, it } from 'vitest';

import { externalDelivered, externalFailed } from '../../../src/actors/children/externalTransitions.js';
import { PENDING_EXTERNAL_REQUESTS_MAX } from '../../../src/actors/children/externalCommands.js';
import { outboxOf } from '../../../src/actors/children/outbox.js';
import { assertHistoryShape } from '../../../src/actors/history/historyShape.js';
import type { ExternalRequestInfo } from '../../../src/actors/mutableState/mutableState.js';
import { signalWorkflow } from '../../../src/actors/workflowTask/signalWorkflow.js';
import type { TransitionResult } from '../../../src/actors/workflowTask/transition.js';
import { outline, RunHarness } from '../workflowTask/runHarness.js';
import { attributesOf, command, completeWith } from './childHarness.js';

function applied(result: TransitionResult | null): TransitionResult {
  if (result === null) throw new Error('expected a recorded result');
  return result;
}

const signalCommand = command(
  'COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION',
  'signalExternalWorkflowExecutionCommandAttributes',
  {
    execution: { workflowId: 'target', runId: '' },
    signalName: 'poke',
    input: { payloads: [{ data: 'p' }] },
    control: 'c1',
  }
);

const cancelCommand = command(
  'COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION',
  'requestCancelExternalWorkflowExecutionCommandAttributes',
  { workflowId: 'other', runId: 'other-run', reason: 'enough', control: 'c2' }
);

/** A source whose first task initiated a signal (event 5) and a cancel (event 6). */
function sourceWithRequests(): RunHarness {
  const source = new RunHarness();
  source.poll();
  completeWith(source, [signalCommand, cancelCommand]);
  return source;
}

describe('external signal and cancel', () => {
  it('writes both Initiated events and lists both deliveries', () => {
    const source = sourceWithRequests();
    expect(outline(source.history).slice(-2)).toEqual([
      '5 SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED',
      '6 REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED',
    ]);
    expect(attributesOf(source.history[4])).toEqual({
      namespace: 'default',
      workflowExecution: { workflowId: 'target', runId: '' },
      signalName: 'poke',
      input: { payloads: [{ data: 'p' }] },
      control: 'c1',
      childWorkflowOnly: false,
      workflowTaskCompletedEventId: '4',
    });
    expect(attributesOf(source.history[5])).toMatchObject({
      workflowExecution: { workflowId: 'other', runId: 'other-run' },
      reason: 'enough',
      control: 'c2',
    });
    expect(outboxOf(source.state)).toMatchObject([
      { kind: 'signalExternal', dedupKey: 'run-1/5/signalExternal', target: { workflowId: 'target', runId: '' } },
      { kind: 'cancelExternal', dedupKey: 'run-1/6/cancelExternal', target: { workflowId: 'other' } },
    ]);
  });

  it('delivered signal and failed cancel: answer events, requests removed, stale results ignored', () => {
    const source = sourceWithRequests();
    const [signalItem] = outboxOf(source.state);
    if (signalItem?.kind !== 'signalExternal') throw new Error('expected a signal item');
    const target = new RunHarness();
    target.taskIdNext = source.taskIdNext;
    const signal = { signalName: 'poke', identity: 'wf-1', requestId: signalItem.dedupKey };
    target.apply((s, c) => signalWorkflow(s, signal, c));
    target.apply((s, c) => signalWorkflow(s, signal, c));
    expect(target.history.filter((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED')).toHaveLength(1);

    source.taskIdNext = target.taskIdNext;
    source.apply((s, c) => applied(externalDelivered(s, { initiatedEventId: 5 }, c)));
    const cause = 'SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND';
    source.apply((s, c) => applied(externalFailed(s, { initiatedEventId: 6, cause }, c)));
    expect(outline(source.history).slice(-3)).toEqual([
      '7 EXTERNAL_WORKFLOW_EXECUTION_SIGNALED',
      '8 WORKFLOW_TASK_SCHEDULED',
      '9 REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED',
    ]);
    expect(attributesOf(source.history[6])).toEqual({
      initiatedEventId: '5',
      namespace: 'default',
      workflowExecution: { workflowId: 'target', runId: '' },
      control: 'c1',
    });
    expect(attributesOf(source.history[8])).toEqual({
      cause,
      initiatedEventId: '6',
      namespace: 'default',
      workflowExecution: { workflowId: 'other', runId: 'other-run' },
      control: 'c2',
      workflowTaskCompletedEventId: '4',
    });
    expect(outboxOf(source.state)).toEqual([]);
    expect(externalDelivered(source.state, { initiatedEventId: 5 }, source.context())).toBeNull();
    expect(externalFailed(source.state, { initiatedEventId: 6, cause }, source.context())).toBeNull();
    assertHistoryShape(source.history);
  });

  it('delivered cancel while the source task runs is buffered and flushed as CancelRequested', () => {
    const source = sourceWithRequests();
    const [, cancelItem] = outboxOf(source.state);
    expect(cancelItem?.kind).toBe('cancelExternal');
    source.apply((s, c) => applied(externalDelivered(s, { initiatedEventId: 5 }, c)));
    source.poll();
    source.apply((s, c) => applied(externalDelivered(s, { initiatedEventId: 6 }, c)));
    expect(source.state.bufferedEvents).toHaveLength(1);
    completeWith(source, []);
    expect(outline(source.history).slice(-3)).toEqual([
      '10 WORKFLOW_TASK_COMPLETED',
      '11 EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED',
      '12 WORKFLOW_TASK_SCHEDULED',
    ]);
    expect(attributesOf(source.history[10])).toEqual({
      initiatedEventId: '6',
      namespace: 'default',
      workflowExecution: { workflowId: 'other', runId: 'other-run' },
    });
    assertHistoryShape(source.history);
  });

  it('limits and bad commands fail the task with the matching cause', () => {
    const pending = (kind: ExternalRequestInfo['kind']): Record<string, ExternalRequestInfo> =>
      Object.fromEntries(
        Array.from({ length: PENDING_EXTERNAL_REQUESTS_MAX }, (_, index) => [
          String(index + 1000),
          {
            initiatedEventId: index + 1000,
            kind,
            namespace: 'default',
            workflowId: 'w',
            runId: '',
            childWorkflowOnly: false,
            request: {},
          },
        ])
      );
    const cases = [
      { requests: pending('signal'), command: signalCommand, cause: 'PENDING_SIGNALS_LIMIT_EXCEEDED' },
      { requests: pending('cancel'), command: cancelCommand, cause: 'PENDING_REQUEST_CANCEL_LIMIT_EXCEEDED' },
      {
        requests: {},
        command: {
          ...signalCommand,
          signalExternalWorkflowExecutionCommandAttributes: { execution: { workflowId: 'x' } },
        },
        cause: 'BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES',
      },
      {
        requests: {},
        command: { ...cancelCommand, requestCancelExternalWorkflowExecutionCommandAttributes: {} },
        cause: 'BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES',
      },
    ];
    for (const { requests, command: refused, cause } of cases) {
      const source = new RunHarness();
      source.state = { ...source.state, externalRequests: requests };
      source.poll();
      const result = completeWith(source, [refused]);
      expect(attributesOf(result.events[0])).toMatchObject({ cause: `WORKFLOW_TASK_FAILED_CAUSE_${cause}` });
    }
    // Each kind has its own limit: a full cancel quota does not block a signal.
    const source = new RunHarness();
    source.state = { ...source.state, externalRequests: pending('cancel') };
    source.poll();
    expect(outline(completeWith(source, [signalCommand]).events)).toContain(
      '5 SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED'
    );
  });
});
