/**
 * Goal: workflow updates in the engine (TEMPORAL-API.md §5.9, §10) — admission, delivery by workflow tasks, the
 * worker's acceptances, responses and rejections, dedup by updateId, the per-run limits, and redelivery.
 * Method: example-based. An UpdateHarness drives one run through real transitions, with the lead's wiring into the
 * task transitions emulated by follow-up transitions (see updateHarness.ts); each test asserts the exact event
 * sequence, the key attributes, the update's stage and outcome, and that the history passes the shape check.
 */

import { describe, expect, it } from 'vitest';
import { assertHistoryShape } from '../../../src/actors/history/historyShape.js';
import type { MutableState, UpdateInfo } from '../../../src/actors/mutableState/mutableState.js';
import {
  admitUpdate,
  UpdateLimitError,
  updatesInFlightMax,
  updatesTotalMax,
} from '../../../src/actors/updates/admitUpdate.js';
import { rejectUpdateMessages, unprocessedUpdateFailure } from '../../../src/actors/updates/updateCommands.js';
import {
  needsWorkflowTaskForUpdates,
  updateMessagesForTask,
  type ProtocolMessage,
} from '../../../src/actors/updates/updateMessages.js';
import { updateOutcomeOf, updateStageOf } from '../../../src/actors/updates/updateStatus.js';
import { InvalidTransitionInputError, WorkflowClosedError } from '../../../src/actors/workflowTask/errors.js';
import { terminateWorkflow } from '../../../src/actors/workflowTask/terminateWorkflow.js';
import { timeoutWorkflowTask } from '../../../src/actors/workflowTask/timeoutWorkflowTask.js';
import { outline } from '../workflowTask/runHarness.js';
import { acceptance, protocolCommand, rejection, response, UpdateHarness, updateRequest } from './updateHarness.js';

/** A run whose first task completed with no commands: no task pending. */
function idleRun(): UpdateHarness {
  const h = new UpdateHarness();
  h.poll();
  h.complete();
  expect(h.state.workflowTask.phase).toBe('none');
  return h;
}

function updateOf(state: MutableState, updateId: string): UpdateInfo {
  const info = state.updates[updateId];
  if (info === undefined) {
    throw new Error(`test bug: no update ${updateId}`);
  }
  return info;
}

function only<T>(items: readonly T[]): T {
  expect(items).toHaveLength(1);
  return items[0] as T;
}

describe('admitUpdate', () => {
  it('records the update as admitted and schedules a workflow task when none is pending', () => {
    const h = idleRun();
    const result = h.admit('u1');
    expect(outline(result.events)).toEqual(['5 WORKFLOW_TASK_SCHEDULED']);
    expect(result.effects).toContainEqual(
      expect.objectContaining({ kind: 'dispatchWorkflowTask', scheduledEventId: 5 })
    );
    const info = updateOf(h.state, 'u1');
    expect(info).toMatchObject({ phase: 'admitted', deliveredStartedEventId: 0, request: updateRequest('u1') });
    expect(updateStageOf(info)).toBe(1);
    expect(updateOutcomeOf(info)).toBeUndefined();
  });

  it('writes nothing when a workflow task is already scheduled (it will carry the update)', () => {
    const h = new UpdateHarness();
    const result = h.admit('u1');
    expect(result.events).toEqual([]);
    expect(result.effects).toEqual([]);
    expect(h.pollMessages().map((message) => message.id)).toEqual(['u1/request']);
  });

  it('deduplicates by updateId: a known id changes nothing, even on a closed run', () => {
    const h = idleRun();
    h.admit('u1');
    const before = h.state;
    const again = h.apply((state, context) => admitUpdate(state, { request: updateRequest('u1') }, context));
    expect(again.events).toEqual([]);
    expect(again.state.updates).toBe(before.updates);
    h.apply((state, context) => terminateWorkflow(state, { reason: 'test', identity: 'client' }, context));
    const closed = h.apply((state, context) => admitUpdate(state, { request: updateRequest('u1') }, context));
    expect(closed.events).toEqual([]);
    expect(() => h.admit('u2')).toThrow(WorkflowClosedError);
  });

  it('refuses a request without meta.updateId', () => {
    const h = idleRun();
    const request = { input: { name: 'x' } };
    expect(() => h.apply((state, context) => admitUpdate(state, { request }, context))).toThrow(
      InvalidTransitionInputError
    );
  });

  it(`refuses the ${updatesInFlightMax + 1}th update in flight, and accepts one again after a completion`, () => {
    const h = idleRun();
    for (let index = 0; index < updatesInFlightMax; index += 1) {
      h.admit(`u${index}`);
    }
    expect(() => h.admit('one-too-many')).toThrow(
      expect.objectContaining({ name: 'UpdateLimitError', limit: 'inFlight' })
    );
    const requests = h.pollMessages();
    expect(requests).toHaveLength(updatesInFlightMax);
    const first = requests[0] as ProtocolMessage;
    h.completeWith([], [acceptance(first), response(first.protocolInstanceId)]);
    expect(() => h.admit('now-fits')).not.toThrow();
  });

  it(`refuses an update once the run has received ${updatesTotalMax}`, () => {
    const h = idleRun();
    const done: UpdateInfo = {
      updateId: '',
      phase: 'completed',
      request: {},
      deliveredStartedEventId: 3,
      acceptedEventId: 5,
      outcome: { success: {} },
    };
    const updates: Record<string, UpdateInfo> = {};
    for (let index = 0; index < updatesTotalMax; index += 1) {
      updates[`old-${index}`] = { ...done, updateId: `old-${index}` };
    }
    const full = { ...h.state, updates };
    let thrown: unknown;
    try {
      admitUpdate(full, { request: updateRequest('new') }, h.context());
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UpdateLimitError);
    expect((thrown as UpdateLimitError).limit).toBe('total');
  });
});

describe('delivery', () => {
  it('carries each admitted update in the poll answer with eventId = startedEventId - 1', () => {
    const h = idleRun();
    h.admit('u1');
    h.admit('u2');
    const messages = h.pollMessages();
    const task = h.token();
    expect(messages).toEqual(
      ['u1', 'u2'].map((updateId) => ({
        id: `${updateId}/request`,
        protocolInstanceId: updateId,
        eventId: task.startedEventId - 1,
        body: { kind: 'request', request: updateRequest(updateId) },
      }))
    );
    expect(updateOf(h.state, 'u1').deliveredStartedEventId).toBe(task.startedEventId);
  });

  it('delivers an update admitted while a task is started with the next task, not the started one', () => {
    const h = idleRun();
    h.admit('u1');
    const request = only(h.pollMessages());
    const startedEventId = h.token().startedEventId;
    const admitted = h.admit('u2');
    expect(admitted.events).toEqual([]);
    expect(h.state.workflowTask.phase).toBe('started');
    // A retried poll of the started task gets the same messages: u2 is not among them.
    expect(updateMessagesForTask(h.state, startedEventId)).toEqual([request]);
    expect(needsWorkflowTaskForUpdates(h.state)).toBe(true);
    h.completeWith(
      [protocolCommand('u1/accept'), protocolCommand('u1/complete')],
      [acceptance(request), response('u1')]
    );
    expect(h.state.workflowTask.phase).toBe('scheduled');
    const next = only(h.pollMessages());
    expect(next).toMatchObject({ protocolInstanceId: 'u2', eventId: h.token().startedEventId - 1 });
    assertHistoryShape(h.history);
  });

  it('redelivers delivered, unanswered updates after a workflow task failure', () => {
    const h = idleRun();
    h.admit('u1');
    const first = only(h.pollMessages());
    h.failTask();
    expect(updateOf(h.state, 'u1').deliveredStartedEventId).toBe(0);
    expect(needsWorkflowTaskForUpdates(h.state)).toBe(true);
    const again = only(h.pollMessages());
    const task = h.token();
    expect(task.attempt).toBe(2);
    expect(again).toMatchObject({ id: first.id, eventId: task.startedEventId - 1 });
    h.completeWith([protocolCommand('u1/accept'), protocolCommand('u1/complete')], [acceptance(again), response('u1')]);
    expect(updateOf(h.state, 'u1').phase).toBe('completed');
    assertHistoryShape(h.history);
  });

  it('redelivers after a start-to-close timeout too', () => {
    const h = idleRun();
    h.admit('u1');
    h.pollMessages();
    const { scheduledEventId, attempt } = h.token();
    h.apply((state, context) => {
      const timedOut = timeoutWorkflowTask(
        state,
        { scheduledEventId, attempt, timer: 'workflowTaskStartToClose' },
        context
      );
      return timedOut;
    });
    // The lead's timeout transition applies the redelivery patch; the next start re-marks every admitted update.
    const again = only(h.pollMessages());
    expect(again.eventId).toBe(h.token().startedEventId - 1);
  });
});

describe('completion messages', () => {
  it('writes Accepted then Completed for an acceptance and a response in one completion', () => {
    const h = idleRun();
    h.admit('u1');
    const request = only(h.pollMessages());
    const { startedEventId } = h.token();
    h.completeWith(
      [protocolCommand('u1/accept'), protocolCommand('u1/complete')],
      [acceptance(request), response('u1')]
    );
    expect(outline(h.history.slice(-3))).toEqual([
      '7 WORKFLOW_TASK_COMPLETED',
      '8 WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
      '9 WORKFLOW_EXECUTION_UPDATE_COMPLETED',
    ]);
    const [, accepted, completed] = h.history.slice(-3) as unknown as Array<Record<string, Record<string, unknown>>>;
    expect(accepted?.['workflowExecutionUpdateAcceptedEventAttributes']).toEqual({
      protocolInstanceId: 'u1',
      acceptedRequestMessageId: 'u1/request',
      acceptedRequestSequencingEventId: String(startedEventId - 1),
      acceptedRequest: updateRequest('u1'),
    });
    expect(completed?.['workflowExecutionUpdateCompletedEventAttributes']).toEqual({
      meta: { updateId: 'u1', identity: 'worker' },
      acceptedEventId: '8',
      outcome: { success: { payloads: [{ data: Buffer.from('"ok"') }] } },
    });
    const info = updateOf(h.state, 'u1');
    expect(info).toMatchObject({ phase: 'completed', acceptedEventId: 8 });
    expect(updateStageOf(info)).toBe(3);
    expect(updateOutcomeOf(info)).toEqual({ success: { payloads: [{ data: Buffer.from('"ok"') }] } });
    expect(h.state.workflowTask.phase).toBe('none');
    assertHistoryShape(h.history);
  });

  it('writes Accepted first even when the response command comes first', () => {
    const h = idleRun();
    h.admit('u1');
    const request = only(h.pollMessages());
    h.completeWith(
      [protocolCommand('u1/complete'), protocolCommand('u1/accept')],
      [acceptance(request), response('u1')]
    );
    expect(outline(h.history.slice(-2))).toEqual([
      '8 WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
      '9 WORKFLOW_EXECUTION_UPDATE_COMPLETED',
    ]);
    assertHistoryShape(h.history);
  });

  it('accepts in one task and completes in a later one (stage 2 in between)', () => {
    const h = idleRun();
    h.admit('u1');
    const request = only(h.pollMessages());
    h.completeWith([protocolCommand('u1/accept')], [acceptance(request)]);
    const accepted = updateOf(h.state, 'u1');
    expect(updateStageOf(accepted)).toBe(2);
    expect(updateOutcomeOf(accepted)).toBeUndefined();
    expect(h.state.workflowTask.phase).toBe('none');
    h.admit('u2');
    expect(only(h.pollMessages()).protocolInstanceId).toBe('u2');
    h.completeWith([protocolCommand('u1/complete')], [response('u1', 'later')]);
    expect(updateOf(h.state, 'u1')).toMatchObject({ phase: 'completed', acceptedEventId: accepted.acceptedEventId });
    expect(updateOf(h.state, 'u2')).toMatchObject({
      phase: 'rejected',
      outcome: { failure: unprocessedUpdateFailure },
    });
    assertHistoryShape(h.history);
  });

  it('processes messages no command refers to, after the commands', () => {
    const h = idleRun();
    h.admit('u1');
    const request = only(h.pollMessages());
    h.completeWith([], [acceptance(request), response('u1')]);
    expect(outline(h.history.slice(-2))).toEqual([
      '8 WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
      '9 WORKFLOW_EXECUTION_UPDATE_COMPLETED',
    ]);
    expect(updateOf(h.state, 'u1').phase).toBe('completed');
    assertHistoryShape(h.history);
  });

  it('writes no event for a rejection; the update is completed with the failure', () => {
    const h = idleRun();
    h.admit('u1');
    const request = only(h.pollMessages());
    const lengthBefore = h.history.length;
    h.completeWith([], [rejection(request)]);
    expect(outline(h.history.slice(lengthBefore))).toEqual(['7 WORKFLOW_TASK_COMPLETED']);
    const info = updateOf(h.state, 'u1');
    expect(info.phase).toBe('rejected');
    expect(updateStageOf(info)).toBe(3);
    expect(updateOutcomeOf(info)).toEqual({
      failure: { message: 'invalid greeting', applicationFailureInfo: { type: 'ValidationError' } },
    });
    expect(h.state.workflowTask.phase).toBe('none');
    assertHistoryShape(h.history);
  });

  it('rejects a delivered update the completed task left unanswered', () => {
    const h = idleRun();
    h.admit('u1');
    h.pollMessages();
    h.completeWith([], []);
    expect(updateOf(h.state, 'u1')).toMatchObject({
      phase: 'rejected',
      outcome: { failure: unprocessedUpdateFailure },
    });
    expect(h.state.workflowTask.phase).toBe('none');
  });

  it.each([
    ['an unknown message id', [protocolCommand('nope')], (request: ProtocolMessage) => [acceptance(request)]],
    [
      'an unknown update',
      [protocolCommand('ghost/accept')],
      (request: ProtocolMessage) => [acceptance({ ...request, protocolInstanceId: 'ghost' })],
    ],
    ['a response to an unaccepted update', [protocolCommand('u1/complete')], () => [response('u1')]],
    [
      'two acceptances of one update',
      [protocolCommand('u1/accept')],
      (request: ProtocolMessage) => [acceptance(request), { ...acceptance(request), id: 'second' }],
    ],
  ])('fails the task with BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE for %s', (_name, commands, messagesOf) => {
    const h = idleRun();
    h.admit('u1');
    const request = only(h.pollMessages());
    const result = h.completeWith(commands, messagesOf(request));
    const failed = h.history.find((event) => event.eventType === 'EVENT_TYPE_WORKFLOW_TASK_FAILED') as unknown as
      { workflowTaskFailedEventAttributes: { cause: string } } | undefined;
    expect(failed?.workflowTaskFailedEventAttributes.cause).toBe(
      'WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE'
    );
    expect(result.effects).toContainEqual(expect.objectContaining({ kind: 'respondError', code: 'INVALID_ARGUMENT' }));
    expect(h.history.some((event) => event.eventType.includes('UPDATE'))).toBe(false);
    assertHistoryShape(h.history);
  });

  it('rejectUpdateMessages refuses bad messages no command refers to', () => {
    const h = idleRun();
    h.admit('u1');
    const request = only(h.pollMessages());
    expect(rejectUpdateMessages(h.state, [acceptance(request), response('u1')])).toBeNull();
    expect(rejectUpdateMessages(h.state, [response('u1')])?.cause).toBe(
      'WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE'
    );
    expect(rejectUpdateMessages(h.state, [request])?.message).toMatch(/only the server sends/);
    expect(rejectUpdateMessages(h.state, [{ id: 'x' }])?.message).toMatch(/not an update acceptance/);
  });
});
