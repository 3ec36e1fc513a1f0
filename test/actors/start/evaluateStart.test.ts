// Goal: evaluateStart decides StartWorkflowExecution exactly as TEMPORAL-API.md §2/§9 and Temporal's policies say:
// each (reuse policy, conflict policy, current run status) → start / alreadyStarted / useExisting, request-id
// idempotency, validation messages naming the field, and the shape of a start command (writes, preconditions).
// Method: pure calls on hand-built read states (a current run made by the engine's startWorkflow transition, its
// status overridden for closed runs); TERMINATE_IF_RUNNING and command contents are checked by applying the
// command through the real pure shard apply (MemoryShard).
import { describe, expect, it } from 'vitest';
import type { MutableState, RunStatus } from '../../../src/actors/mutableState/mutableState.js';
import { loadMutableState, readHistory } from '../../../src/actors/runStore/runStore.js';
import { currentRunKey, mutableStateKey } from '../../../src/actors/runStore/runKeys.js';
import { evaluateStart, startDedupId } from '../../../src/actors/start/evaluateStart.js';
import type { StartEvaluation, StartReadState } from '../../../src/actors/start/evaluateStart.js';
import type {
  StartRequest,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
} from '../../../src/actors/start/startRequest.js';
import { loadStartState } from '../../../src/actors/start/startWorkflowOnShard.js';
import { RunHarness } from '../workflowTask/runHarness.js';
import { MemoryShard } from '../runStore/memoryShard.js';

const request: StartRequest = {
  namespace: 'default',
  workflowId: 'wf-1',
  workflowType: 'example',
  taskQueue: 'tq',
  requestId: 'req-2',
  identity: 'client',
  workflowTaskTimeoutMs: 10_000,
  workflowRunTimeoutMs: 0,
  workflowExecutionTimeoutMs: 0,
};
const inputs = { runId: 'run-2', nowMs: 1_700_000_100_000, taskIdFirst: 1_000 };

/** The read state of wf-1 whose current run `run-1` (started by req-1) has `status`. */
function readState(status: RunStatus): StartReadState {
  const running = new RunHarness().state;
  const value: MutableState =
    status === 'running'
      ? running
      : {
          ...running,
          status,
          workflowTask: { phase: 'none' },
          closeState: {
            status,
            closeEventId: 3,
            closeTimeMs: running.lastEventTimeMs,
            payload: null,
            newExecutionRunId: '',
          },
          nextEventId: 4,
        };
  return {
    pointer: { value: { formatVersion: 1, runId: 'run-1', startRequestId: 'req-1' }, version: 1 },
    current: { value, version: 3 },
  };
}

/** The decision as a short word, for the table. */
function kindOf(evaluation: StartEvaluation): string {
  return evaluation.kind;
}

const reuse = (name: string): WorkflowIdReusePolicy => `WORKFLOW_ID_REUSE_POLICY_${name}` as WorkflowIdReusePolicy;
const conflict = (name: string): WorkflowIdConflictPolicy =>
  `WORKFLOW_ID_CONFLICT_POLICY_${name}` as WorkflowIdConflictPolicy;

describe('evaluateStart policies', () => {
  const table: [string, string, RunStatus, string][] = [
    // reuse policy, conflict policy, current status, expected
    ['UNSPECIFIED', 'UNSPECIFIED', 'running', 'alreadyStarted'],
    ['ALLOW_DUPLICATE', 'FAIL', 'running', 'alreadyStarted'],
    ['ALLOW_DUPLICATE', 'USE_EXISTING', 'running', 'useExisting'],
    ['REJECT_DUPLICATE', 'USE_EXISTING', 'running', 'useExisting'],
    ['TERMINATE_IF_RUNNING', 'UNSPECIFIED', 'running', 'start'],
    ['UNSPECIFIED', 'UNSPECIFIED', 'completed', 'start'],
    ['ALLOW_DUPLICATE', 'FAIL', 'failed', 'start'],
    ['ALLOW_DUPLICATE', 'USE_EXISTING', 'completed', 'start'],
    ['ALLOW_DUPLICATE_FAILED_ONLY', 'FAIL', 'completed', 'alreadyStarted'],
    ['ALLOW_DUPLICATE_FAILED_ONLY', 'FAIL', 'failed', 'start'],
    ['ALLOW_DUPLICATE_FAILED_ONLY', 'FAIL', 'canceled', 'start'],
    ['ALLOW_DUPLICATE_FAILED_ONLY', 'FAIL', 'terminated', 'start'],
    ['ALLOW_DUPLICATE_FAILED_ONLY', 'FAIL', 'timedOut', 'start'],
    ['ALLOW_DUPLICATE_FAILED_ONLY', 'FAIL', 'running', 'alreadyStarted'],
    ['REJECT_DUPLICATE', 'FAIL', 'completed', 'alreadyStarted'],
    ['REJECT_DUPLICATE', 'FAIL', 'failed', 'alreadyStarted'],
    ['TERMINATE_IF_RUNNING', 'FAIL', 'completed', 'start'],
  ];
  it.each(table)('reuse %s, conflict %s, current run %s → %s', (reusePolicy, conflictPolicy, status, expected) => {
    const evaluation = evaluateStart(
      { ...request, workflowIdReusePolicy: reuse(reusePolicy), workflowIdConflictPolicy: conflict(conflictPolicy) },
      readState(status),
      inputs
    );
    expect(kindOf(evaluation)).toBe(expected);
    if (evaluation.kind === 'alreadyStarted') {
      expect(evaluation).toEqual({ kind: 'alreadyStarted', runId: 'run-1', startRequestId: 'req-1' });
    }
    if (evaluation.kind === 'useExisting') expect(evaluation.runId).toBe('run-1');
    if (evaluation.kind === 'start') expect(evaluation.runId).toBe('run-2');
  });

  it('with no current run, every policy starts', () => {
    for (const policy of ['UNSPECIFIED', 'ALLOW_DUPLICATE_FAILED_ONLY', 'REJECT_DUPLICATE', 'TERMINATE_IF_RUNNING']) {
      const evaluation = evaluateStart(
        { ...request, workflowIdReusePolicy: reuse(policy) },
        { pointer: null, current: null },
        inputs
      );
      expect(evaluation.kind).toBe('start');
    }
  });

  it("the current run's own requestId answers with its run id, whatever its status or the policy", () => {
    for (const status of ['running', 'completed'] as const) {
      const evaluation = evaluateStart(
        { ...request, requestId: 'req-1', workflowIdReusePolicy: reuse('REJECT_DUPLICATE') },
        readState(status),
        inputs
      );
      expect(evaluation).toEqual({ kind: 'duplicate', runId: 'run-1' });
    }
  });
});

describe('evaluateStart validation', () => {
  const long = 'x'.repeat(1001);
  const cases: [Partial<StartRequest>, string, RegExp][] = [
    [{ workflowId: '' }, 'workflowId', /workflowId is required/],
    [{ workflowType: '' }, 'workflowType', /workflowType is required/],
    [{ taskQueue: '' }, 'taskQueue', /taskQueue is required/],
    [{ requestId: '' }, 'requestId', /requestId is required/],
    [{ workflowId: long }, 'workflowId', /workflowId is 1001 bytes long, at most 1000/],
    [{ workflowType: long }, 'workflowType', /workflowType is 1001 bytes/],
    [{ taskQueue: long }, 'taskQueue', /taskQueue is 1001 bytes/],
    // 334 × 3-byte characters: 1,002 bytes although only 334 characters.
    [{ workflowId: '€'.repeat(334) }, 'workflowId', /1002 bytes/],
    [{ workflowTaskTimeoutMs: 0 }, 'workflowTimeouts', /workflowTaskTimeoutMs must be > 0/],
    [{ workflowRunTimeoutMs: -1 }, 'workflowTimeouts', /workflowRunTimeoutMs must be a non-negative/],
    [
      {
        workflowIdReusePolicy: 'WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING',
        workflowIdConflictPolicy: 'WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING',
      },
      'workflowIdConflictPolicy',
      /cannot be combined/,
    ],
  ];
  it.each(cases)('%o is refused naming %s', (patch, field, message) => {
    const evaluation = evaluateStart({ ...request, ...patch }, { pointer: null, current: null }, inputs);
    if (evaluation.kind !== 'invalid') throw new Error(`expected invalid, got ${evaluation.kind}`);
    expect(evaluation.error.field).toBe(field);
    expect(evaluation.error.message).toMatch(message);
  });

  it('accepts ids of exactly 1,000 bytes', () => {
    const id = 'x'.repeat(1000);
    const evaluation = evaluateStart(
      { ...request, workflowId: id, taskQueue: id },
      { pointer: null, current: null },
      inputs
    );
    expect(evaluation.kind).toBe('start');
  });
});

describe('evaluateStart commands', () => {
  it('a first start requires an absent pointer and a new run, and is deduplicated by a scoped requestId', () => {
    const evaluation = evaluateStart(request, { pointer: null, current: null }, inputs);
    if (evaluation.kind !== 'start') throw new Error(`expected start, got ${evaluation.kind}`);
    const run = { namespace: 'default', workflowId: 'wf-1', runId: 'run-2' };
    expect(evaluation.command.preconditions).toEqual([
      { key: mutableStateKey(run), version: null },
      { key: currentRunKey('default', 'wf-1'), version: null },
    ]);
    expect(evaluation.command.requestId).toBe(startDedupId(request));
    expect(startDedupId({ ...request, workflowId: 'wf-2' })).not.toBe(evaluation.command.requestId);
    expect(evaluation.effects.map((effect) => effect.kind)).toContain('dispatchWorkflowTask');
  });

  it('a start over a closed run requires the pointer version as read', () => {
    const evaluation = evaluateStart(request, readState('completed'), inputs);
    if (evaluation.kind !== 'start') throw new Error(`expected start, got ${evaluation.kind}`);
    expect(evaluation.command.preconditions).toContainEqual({ key: currentRunKey('default', 'wf-1'), version: 1 });
  });

  it('TERMINATE_IF_RUNNING terminates the running run and starts the new one in one command', async () => {
    const shard = new MemoryShard();
    const first = evaluateStart(
      { ...request, requestId: 'req-1' },
      { pointer: null, current: null },
      {
        ...inputs,
        runId: 'run-1',
        taskIdFirst: 10,
      }
    );
    if (first.kind !== 'start') throw new Error(`expected start, got ${first.kind}`);
    expect((await shard.propose(first.command)).outcome).toBe('applied');
    const read = await loadStartState(shard.view, 'default', 'wf-1');
    const second = evaluateStart(
      { ...request, workflowIdReusePolicy: 'WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING' },
      read,
      { ...inputs, taskIdFirst: first.taskIdNext }
    );
    if (second.kind !== 'start') throw new Error(`expected start, got ${second.kind}`);
    expect(second.effects.map((effect) => effect.kind)).toContain('runClosed');
    expect((await shard.propose(second.command)).outcome).toBe('applied');
    const oldRun = { namespace: 'default', workflowId: 'wf-1', runId: 'run-1' };
    expect((await loadMutableState(shard.view, oldRun))?.value.status).toBe('terminated');
    const oldHistory = await readHistory(shard.view, oldRun, 1, 100);
    expect(oldHistory.at(-1)?.eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED');
    const after = await loadStartState(shard.view, 'default', 'wf-1');
    expect(after.pointer?.value).toEqual({ formatVersion: 1, runId: 'run-2', startRequestId: 'req-2' });
    expect(after.current?.value.status).toBe('running');
  });
});
