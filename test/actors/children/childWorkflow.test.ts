/**
 * Goal: a child's life on both sides (TEMPORAL-API.md §5.10): START_CHILD writes Initiated and an outbox startChild
 * item; childStartInput starts the child with its parent link; childStarted / childStartFailed / childClosed write
 * the parent's events with the right initiated and started ids (buffered while a task runs); the child's
 * notifyParent item vanishes once parentNotified ran; stale and early results are refused the documented way.
 * Method: a parent and a child harness driven through the transitions the host would apply; outlines, attributes,
 * outbox contents and history shape checks.
 */

import { describe, expect, it } from 'vitest';

import { childStartInput, PENDING_CHILDREN_MAX } from '../../../src/actors/children/childCommands.js';
import { childCloseReportOf } from '../../../src/actors/children/childCloseEvents.js';
import {
  childClosed,
  ChildResultNotReadyError,
  childStarted,
  childStartFailed,
  parentNotified,
} from '../../../src/actors/children/childTransitions.js';
import { outboxOf } from '../../../src/actors/children/outbox.js';
import { assertHistoryShape } from '../../../src/actors/history/historyShape.js';
import type { ChildInfo } from '../../../src/actors/mutableState/mutableState.js';
import { startWorkflow } from '../../../src/actors/workflowTask/startWorkflow.js';
import { terminateWorkflow } from '../../../src/actors/workflowTask/terminateWorkflow.js';
import type { TransitionResult } from '../../../src/actors/workflowTask/transition.js';
import { completeCommand, outline, RunHarness } from '../workflowTask/runHarness.js';
import { attributesOf, completeWith, harnessOf, startChildCommand } from './childHarness.js';

/** A parent whose first task initiated child `child-1` (event 5). */
function parentWithChild(extra = {}): RunHarness {
  const parent = new RunHarness();
  parent.poll();
  completeWith(parent, [startChildCommand('child-1', extra)]);
  return parent;
}

/** Starts the child the parent's startChild item names, as the host would. */
function startChild(parent: RunHarness, runId = 'child-run-1'): RunHarness {
  const item = outboxOf(parent.state)[0];
  if (item?.kind !== 'startChild') throw new Error('expected a startChild item');
  const host = new RunHarness();
  host.nowMs = parent.nowMs;
  host.taskIdNext = parent.taskIdNext;
  const input = childStartInput(parent.state, item.child, { runId, startTimeMs: host.nowMs });
  const child = harnessOf(startWorkflow(input, host.context()), host);
  parent.taskIdNext = child.taskIdNext;
  return child;
}

/** Applies a result transition that must record something. */
function applied(result: TransitionResult | null): TransitionResult {
  if (result === null) throw new Error('expected a recorded result');
  return result;
}

describe('child workflows on the parent', () => {
  it('initiated → started → completed, with the ids the SDK matches on', () => {
    const parent = parentWithChild();
    expect(outline(parent.history).slice(-2)).toEqual([
      '4 WORKFLOW_TASK_COMPLETED',
      '5 START_CHILD_WORKFLOW_EXECUTION_INITIATED',
    ]);
    expect(attributesOf(parent.history[4])).toMatchObject({
      namespace: 'default',
      workflowId: 'child-1',
      workflowType: { name: 'childType' },
      taskQueue: { name: 'tq', kind: 'TASK_QUEUE_KIND_NORMAL' },
      parentClosePolicy: 'PARENT_CLOSE_POLICY_TERMINATE',
      workflowTaskTimeout: { seconds: '10', nanos: 0 },
      workflowTaskCompletedEventId: '4',
      control: 'ctl-child-1',
    });
    expect(outboxOf(parent.state)).toMatchObject([{ kind: 'startChild', dedupKey: 'run-1/5/startChild' }]);

    const child = startChild(parent);
    expect(child.state.parent).toEqual({
      namespace: 'default',
      workflowId: 'wf-1',
      runId: 'run-1',
      initiatedEventId: 5,
    });
    expect(attributesOf(child.history[0])).toMatchObject({
      parentWorkflowNamespace: 'default',
      parentWorkflowExecution: { workflowId: 'wf-1', runId: 'run-1' },
      parentInitiatedEventId: '5',
      rootWorkflowExecution: { workflowId: 'wf-1', runId: 'run-1' },
      input: { payloads: [{ data: 'child-1' }] },
    });

    parent.apply((s, c) => applied(childStarted(s, { initiatedEventId: 5, runId: 'child-run-1' }, c)));
    expect(outline(parent.history).slice(-2)).toEqual([
      '6 CHILD_WORKFLOW_EXECUTION_STARTED',
      '7 WORKFLOW_TASK_SCHEDULED',
    ]);
    expect(attributesOf(parent.history[5])).toMatchObject({
      initiatedEventId: '5',
      workflowExecution: { workflowId: 'child-1', runId: 'child-run-1' },
      workflowType: { name: 'childType' },
    });
    expect(outboxOf(parent.state)).toEqual([]);
    expect(childStarted(parent.state, { initiatedEventId: 5, runId: 'child-run-1' }, parent.context())).toBeNull();

    child.poll();
    completeWith(child, [completeCommand]);
    const [notify] = outboxOf(child.state);
    if (notify?.kind !== 'notifyParent') throw new Error('expected a notifyParent item');
    expect(notify.dedupKey).toBe('child-run-1/5/notifyParent');
    parent.taskIdNext = Math.max(parent.taskIdNext, child.taskIdNext);
    parent.poll();
    // Closed while the parent's task runs: buffered, then flushed after the completion's events.
    parent.apply((s, c) => applied(childClosed(s, notify.report, c)));
    completeWith(parent, []);
    expect(outline(parent.history).slice(-3)).toEqual([
      '9 WORKFLOW_TASK_COMPLETED',
      '10 CHILD_WORKFLOW_EXECUTION_COMPLETED',
      '11 WORKFLOW_TASK_SCHEDULED',
    ]);
    expect(attributesOf(parent.history[9])).toMatchObject({
      result: { payloads: [{ data: 'done' }] },
      initiatedEventId: '5',
      startedEventId: '6',
      workflowExecution: { workflowId: 'child-1', runId: 'child-run-1' },
    });
    expect(parent.state.children).toEqual({});
    expect(childClosed(parent.state, notify.report, parent.context())).toBeNull();

    child.taskIdNext = parent.taskIdNext;
    child.apply((s, c) => applied(parentNotified(s, c)));
    expect(outboxOf(child.state)).toEqual([]);
    assertHistoryShape(parent.history);
    assertHistoryShape(child.history);
  });

  it('failed and terminated children produce their close events with failure and retry state', () => {
    const parent = parentWithChild();
    const child = startChild(parent);
    parent.apply((s, c) => applied(childStarted(s, { initiatedEventId: 5, runId: 'child-run-1' }, c)));
    child.taskIdNext = parent.taskIdNext;
    child.apply((s, c) => terminateWorkflow(s, { reason: 'stop', identity: 'op' }, c));
    const report = childCloseReportOf(child.state);
    expect(report).toEqual({ initiatedEventId: 5, runId: 'child-run-1', status: 'terminated', payload: null });
    if (report === null) throw new Error('expected a close report');
    parent.taskIdNext = child.taskIdNext;
    parent.apply((s, c) => applied(childClosed(s, report, c)));
    expect(outline(parent.history).slice(-1)).toEqual(['8 CHILD_WORKFLOW_EXECUTION_TERMINATED']);
    expect(attributesOf(parent.history[7])).toMatchObject({ initiatedEventId: '5', startedEventId: '6' });

    const second = parentWithChild();
    second.apply((s, c) => applied(childStarted(s, { initiatedEventId: 5, runId: 'r' }, c)));
    const failure = { message: 'boom' };
    second.apply((s, c) =>
      applied(childClosed(s, { initiatedEventId: 5, runId: 'r', status: 'failed', payload: failure }, c))
    );
    expect(outline(second.history).slice(-1)).toEqual(['8 CHILD_WORKFLOW_EXECUTION_FAILED']);
    expect(attributesOf(second.history[7])).toMatchObject({
      failure,
      retryState: 'RETRY_STATE_RETRY_POLICY_NOT_SET',
      initiatedEventId: '5',
      startedEventId: '6',
      namespace: 'default',
      workflowType: { name: 'childType' },
    });
    assertHistoryShape(second.history);
  });

  it('an already-existing child: StartChildWorkflowExecutionFailed, and the child is forgotten', () => {
    const parent = parentWithChild();
    const failedInput = {
      initiatedEventId: 5,
      cause: 'START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_WORKFLOW_ALREADY_EXISTS',
    } as const;
    parent.apply((s, c) => applied(childStartFailed(s, failedInput, c)));
    expect(outline(parent.history).slice(-2)).toEqual([
      '6 START_CHILD_WORKFLOW_EXECUTION_FAILED',
      '7 WORKFLOW_TASK_SCHEDULED',
    ]);
    expect(attributesOf(parent.history[5])).toMatchObject({
      namespace: 'default',
      workflowId: 'child-1',
      workflowType: { name: 'childType' },
      cause: 'START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_WORKFLOW_ALREADY_EXISTS',
      control: 'ctl-child-1',
      initiatedEventId: '5',
      workflowTaskCompletedEventId: '4',
    });
    expect(parent.state.children).toEqual({});
    expect(outboxOf(parent.state)).toEqual([]);
    expect(childStartFailed(parent.state, failedInput, parent.context())).toBeNull();
    assertHistoryShape(parent.history);
  });

  it('childStarted while the parent task runs is buffered, its id recorded at flush; a close before that waits', () => {
    const parent = parentWithChild();
    parent.apply((s, c) => applied(childStarted(s, { initiatedEventId: 5, runId: 'r' }, c)));
    // Two more children, initiated by the next task; their results arrive while the task after that runs.
    parent.poll();
    completeWith(parent, [startChildCommand('child-2'), startChildCommand('child-3')]);
    expect(Object.keys(parent.state.children)).toEqual(['5', '10', '11']);
    parent.apply((s, c) =>
      applied(childClosed(s, { initiatedEventId: 5, runId: 'r', status: 'completed', payload: null }, c))
    );
    parent.poll();
    parent.apply((s, c) => applied(childStarted(s, { initiatedEventId: 10, runId: 'r2' }, c)));
    // Buffered: started (so no second start), but its event id is not known until the flush.
    expect(parent.state.children['10']).toMatchObject({ phase: 'started', runId: 'r2', startedEventId: 0 });
    expect(parent.state.bufferedEvents.map((event) => event.kind)).toEqual(['childStarted']);
    const before = parent.state;
    const report = { initiatedEventId: 10, runId: 'r2', status: 'completed', payload: null } as const;
    expect(() => childClosed(before, report, parent.context())).toThrow(ChildResultNotReadyError);
    expect(outboxOf(parent.state).map((item) => item.dedupKey)).toEqual(['run-1/11/startChild']);
    completeWith(parent, []);
    const startedEvent = parent.history.find(
      (event) =>
        event.eventType === 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED' &&
        event.childWorkflowExecutionStartedEventAttributes.initiatedEventId === '10'
    );
    expect(startedEvent).toBeDefined();
    expect(parent.state.children['10']?.startedEventId).toBe(Number(startedEvent?.eventId));
    parent.apply((s, c) => applied(childClosed(s, report, c)));
    // A task is already scheduled (the flush scheduled it), so the close is the last event.
    const closed = parent.history[parent.history.length - 1];
    expect(closed?.eventType).toBe('EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED');
    expect(closed).toMatchObject({
      childWorkflowExecutionCompletedEventAttributes: { startedEventId: startedEvent?.eventId, initiatedEventId: '10' },
    });
    assertHistoryShape(parent.history);
  });

  it('the pending-children limit fails the task with PENDING_CHILD_WORKFLOWS_LIMIT_EXCEEDED', () => {
    const parent = new RunHarness();
    const child = (id: number): ChildInfo => ({
      initiatedEventId: id,
      namespace: 'default',
      workflowId: `c-${id}`,
      workflowType: 't',
      phase: 'started',
      runId: 'r',
      startedEventId: 0,
      parentClosePolicy: 'PARENT_CLOSE_POLICY_ABANDON',
      request: {},
    });
    const children = Object.fromEntries(
      Array.from({ length: PENDING_CHILDREN_MAX }, (_, index) => [String(index + 1000), child(index + 1000)])
    );
    parent.state = { ...parent.state, children };
    parent.poll();
    const result = completeWith(parent, [startChildCommand('one-too-many')]);
    expect(outline(result.events)).toEqual(['4 WORKFLOW_TASK_FAILED']);
    expect(attributesOf(result.events[0])).toMatchObject({
      cause: 'WORKFLOW_TASK_FAILED_CAUSE_PENDING_CHILD_WORKFLOWS_LIMIT_EXCEEDED',
    });
  });

  it('a command without workflowType fails the task with BAD_START_CHILD_EXECUTION_ATTRIBUTES', () => {
    const parent = new RunHarness();
    parent.poll();
    const result = completeWith(parent, [startChildCommand('c', { workflowType: { name: '' } })]);
    expect(attributesOf(result.events[0])).toMatchObject({
      cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES',
    });
  });
});
