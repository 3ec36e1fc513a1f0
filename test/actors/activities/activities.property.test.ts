/**
 * Goal: any sequence of activity inputs (schedule and cancel commands, starts, answers, heartbeats, timers —
 * current or stale, early or due, with the clock moving both ways, mixed with signals and terminations) keeps the
 * run consistent: every ActivityTaskStarted is immediately followed by its close event, each activity closes at
 * most once and only after its ActivityTaskScheduled, a pending attempt has no event (written or buffered),
 * pending activityIds are unique, a timer never fires early, only typed errors are thrown, and replay is identical.
 * Method: seeded fast-check (SEED below, in the test name and printed by fast-check on failure) over abstract
 * actions interpreted against the current state; each sequence runs twice and the outputs are compared.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { activityTimersOf, fireActivityTimer } from '../../../src/actors/activities/activityTimers.js';
import { heartbeatActivityTask } from '../../../src/actors/activities/heartbeatActivityTask.js';
import {
  ActivityNotCancelRequestedError,
  respondActivityTask,
  type ActivityAttemptResponse,
} from '../../../src/actors/activities/respondActivityTask.js';
import { startActivityTask } from '../../../src/actors/activities/startActivityTask.js';
import type { HistoryEvent, ProtoMessage } from '../../../src/actors/history/events.js';
import { historyShapeViolations } from '../../../src/actors/history/historyShape.js';
import type { MutableState } from '../../../src/actors/mutableState/mutableState.js';
import type { ProtoCommand } from '../../../src/actors/workflowTask/commandHandlers.js';
import { StaleTaskError, WorkflowClosedError } from '../../../src/actors/workflowTask/errors.js';
import { signalWorkflow } from '../../../src/actors/workflowTask/signalWorkflow.js';
import { terminateWorkflow } from '../../../src/actors/workflowTask/terminateWorkflow.js';
import { ActivityRun, appFailure, attrs, cancelCommand, scheduleCommand, seconds } from './activityHarness.js';

const SEED = Number(process.env['ACTIVITY_SEED'] ?? 20261125);

const scheduleOptions: readonly ProtoMessage[] = [
  {},
  { scheduleToCloseTimeout: seconds(30), scheduleToStartTimeout: seconds(5), heartbeatTimeout: seconds(3) },
  { retryPolicy: { maximumAttempts: 2, nonRetryableErrorTypes: ['Fatal'] } },
  { heartbeatTimeout: seconds(2), retryPolicy: { initialInterval: seconds(1), maximumAttempts: 3 } },
];

const CLOSE_TYPES = new Set([
  'EVENT_TYPE_ACTIVITY_TASK_COMPLETED',
  'EVENT_TYPE_ACTIVITY_TASK_FAILED',
  'EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT',
  'EVENT_TYPE_ACTIVITY_TASK_CANCELED',
]);

type Action =
  | { kind: 'workflow'; command: 'none' | 'schedule' | 'cancel' | 'cancelUnknown'; pick: number; option: number }
  | { kind: 'start'; pick: number; stale: boolean; requestId: number }
  | { kind: 'respond'; pick: number; stale: boolean; outcome: 'completed' | 'failed' | 'fatal' | 'canceled' }
  | { kind: 'heartbeat'; pick: number; stale: boolean }
  | { kind: 'timer'; pick: number; early: boolean }
  | { kind: 'signal' }
  | { kind: 'terminate'; chance: number };

const pickArb = fc.nat({ max: 7 });
const staleArb = fc.integer({ min: 0, max: 5 }).map((n) => n === 0);

const actionArb: fc.Arbitrary<{ action: Action; dtMs: number }> = fc.record({
  dtMs: fc.integer({ min: -2000, max: 15_000 }),
  action: fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('workflow' as const),
        command: fc.constantFrom(
          'none' as const,
          'schedule' as const,
          'schedule' as const,
          'cancel' as const,
          'cancelUnknown' as const
        ),
        pick: pickArb,
        option: fc.nat({ max: scheduleOptions.length - 1 }),
      }),
    },
    {
      weight: 5,
      arbitrary: fc.record({
        kind: fc.constant('start' as const),
        pick: pickArb,
        stale: staleArb,
        requestId: fc.nat({ max: 2 }),
      }),
    },
    {
      weight: 5,
      arbitrary: fc.record({
        kind: fc.constant('respond' as const),
        pick: pickArb,
        stale: staleArb,
        outcome: fc.constantFrom('completed' as const, 'failed' as const, 'fatal' as const, 'canceled' as const),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('heartbeat' as const), pick: pickArb, stale: staleArb }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('timer' as const), pick: pickArb, early: fc.boolean() }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'signal' as const }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('terminate' as const), chance: fc.nat({ max: 9 }) }) }
  ),
});

/** The pending activity `pick` selects (by position), as {scheduledEventId, attempt}; a made-up one if none. */
function pickAttempt(state: MutableState, pick: number, stale: boolean): { scheduledEventId: number; attempt: number } {
  const pending = Object.values(state.activities);
  const activity = pending[pick % Math.max(1, pending.length)];
  if (activity === undefined) return { scheduledEventId: 5 + pick, attempt: 1 };
  return { scheduledEventId: activity.scheduledEventId, attempt: activity.attempt + (stale ? 1 : 0) };
}

function responseOf(outcome: 'completed' | 'failed' | 'fatal' | 'canceled'): ActivityAttemptResponse {
  switch (outcome) {
    case 'completed':
      return { kind: 'completed', identity: 'w', result: { payloads: [] } };
    case 'failed':
      return { kind: 'failed', identity: 'w', failure: appFailure('boom') };
    case 'fatal':
      return { kind: 'failed', identity: 'w', failure: appFailure('fatal', 'Fatal') };
    case 'canceled':
      return { kind: 'canceled', identity: 'w' };
  }
}

function workflowStep(run: ActivityRun, action: Extract<Action, { kind: 'workflow' }>, serial: number): void {
  const task = run.state.workflowTask;
  if (task.phase === 'none') {
    run.apply((s, c) => signalWorkflow(s, { signalName: 'wake', identity: 'c', requestId: '' }, c));
  } else if (task.phase === 'scheduled') {
    run.poll();
  } else {
    const commands: Record<typeof action.command, ProtoCommand[]> = {
      none: [],
      schedule: [scheduleCommand(`a${serial % 5}`, scheduleOptions[action.option])],
      cancel: [cancelCommand(pickAttempt(run.state, action.pick, false).scheduledEventId)],
      cancelUnknown: [cancelCommand(1_000 + action.pick)],
    };
    run.completeWith(commands[action.command]);
  }
}

function timerStep(run: ActivityRun, action: Extract<Action, { kind: 'timer' }>): void {
  const timers = activityTimersOf(run.state);
  const due = timers[action.pick % Math.max(1, timers.length)];
  if (due === undefined) return;
  if (action.early) {
    const early = fireActivityTimer(run.state, due.timer, { nowMs: due.fireAtMs - 1, taskIdFirst: run.taskIdNext });
    expect(early).toBeNull();
    return;
  }
  run.nowMs = Math.max(run.nowMs, due.fireAtMs);
  const result = fireActivityTimer(run.state, due.timer, run.context());
  expect(result).not.toBeNull();
  if (result !== null) run.apply(() => result);
}

function step(run: ActivityRun, action: Action, serial: number): void {
  switch (action.kind) {
    case 'workflow':
      return workflowStep(run, action, serial);
    case 'start': {
      const ref = pickAttempt(run.state, action.pick, action.stale);
      const input = { ...ref, requestId: `ap${action.requestId}`, identity: 'w' };
      run.apply((s, c) => startActivityTask(s, input, c));
      return;
    }
    case 'respond': {
      const input = { ...pickAttempt(run.state, action.pick, action.stale), response: responseOf(action.outcome) };
      run.apply((s, c) => respondActivityTask(s, input, c));
      return;
    }
    case 'heartbeat': {
      const input = { ...pickAttempt(run.state, action.pick, action.stale), identity: 'w', details: { payloads: [] } };
      run.apply((s, c) => heartbeatActivityTask(s, input, c));
      return;
    }
    case 'timer':
      return timerStep(run, action);
    case 'signal':
      run.apply((s, c) => signalWorkflow(s, { signalName: 's', identity: 'c', requestId: '' }, c));
      return;
    case 'terminate':
      // Rare: a terminated run refuses everything after it, which would leave most sequences with nothing to test.
      if (action.chance > 0) return;
      run.apply((s, c) => terminateWorkflow(s, { reason: 'r', identity: 'c' }, c));
      return;
  }
}

function idOf(event: HistoryEvent, field: string): string {
  return String(attrs(event)[field]);
}

/** The activity invariants of the history and the state. */
function checkActivities(run: ActivityRun): void {
  const history = run.history;
  expect(historyShapeViolations(history)).toEqual([]);
  const scheduled = new Set<string>();
  const closed = new Set<string>();
  history.forEach((event, index) => {
    if (event.eventType === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED') scheduled.add(event.eventId);
    if (event.eventType === 'EVENT_TYPE_ACTIVITY_TASK_STARTED') {
      const next = history[index + 1];
      expect(next !== undefined && CLOSE_TYPES.has(next.eventType)).toBe(true);
      if (next !== undefined) {
        expect(idOf(next, 'startedEventId')).toBe(event.eventId);
        expect(idOf(next, 'scheduledEventId')).toBe(idOf(event, 'scheduledEventId'));
      }
    }
    if (CLOSE_TYPES.has(event.eventType)) {
      const id = idOf(event, 'scheduledEventId');
      expect(scheduled.has(id)).toBe(true);
      expect(closed.has(id)).toBe(false);
      closed.add(id);
      const previous = history[index - 1];
      const started = previous?.eventType === 'EVENT_TYPE_ACTIVITY_TASK_STARTED' ? previous.eventId : '0';
      expect(idOf(event, 'startedEventId')).toBe(started);
    }
  });
  const pending = Object.values(run.state.activities);
  const bufferedIds = run.state.bufferedEvents.map((event) =>
    event.kind === 'activityClosed' ? String(event.startedAttributes['scheduledEventId']) : ''
  );
  for (const activity of pending) {
    const id = String(activity.scheduledEventId);
    expect(scheduled.has(id)).toBe(true);
    expect(closed.has(id) || bufferedIds.includes(id)).toBe(false);
  }
  expect(new Set(pending.map((activity) => activity.activityId)).size).toBe(pending.length);
  if (run.state.closeState !== null) {
    expect(run.state.activities).toEqual({});
    expect(activityTimersOf(run.state)).toEqual([]);
  }
}

/** Every event type any run wrote: the property must not hold vacuously. */
const seenEventTypes = new Set<string>();

function runActions(actions: readonly { action: Action; dtMs: number }[]): unknown[] {
  const run = new ActivityRun();
  const observed: unknown[] = [];
  actions.forEach(({ action, dtMs }, serial) => {
    run.nowMs = Math.max(0, run.nowMs + dtMs);
    try {
      step(run, action, serial);
      observed.push(run.lastEffects);
    } catch (error) {
      const typed =
        error instanceof StaleTaskError ||
        error instanceof WorkflowClosedError ||
        error instanceof ActivityNotCancelRequestedError;
      if (!typed) throw error;
      observed.push(error.name);
    }
    checkActivities(run);
  });
  run.history.forEach((event) => seenEventTypes.add(event.eventType));
  observed.push(run.history, run.state);
  return observed;
}

describe('activity transitions (property)', () => {
  it(`keep the activity life cycle consistent, throw only typed errors and replay identically (seed ${SEED})`, () => {
    fc.assert(
      fc.property(fc.array(actionArb, { minLength: 1, maxLength: 80, size: 'max' }), (actions) => {
        const first = runActions(actions);
        expect(runActions(actions)).toEqual(first);
      }),
      { seed: SEED, numRuns: 100 }
    );
    for (const eventType of [...CLOSE_TYPES, 'EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED']) {
      expect(seenEventTypes.has(eventType), eventType).toBe(true);
    }
  });
});
