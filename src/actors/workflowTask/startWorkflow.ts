/**
 * Starting a run (TEMPORAL-API.md §5.1): `1 WorkflowExecutionStarted`, `2 WorkflowTaskScheduled{attempt 1}` on
 * the normal queue. The caller picks the runId and validates timeouts (defaults and caps are frontend policy).
 */

import {
  workflowExecutionSignaledEvent,
  workflowExecutionStartedEvent,
  type ProtoMessage,
  type WorkflowExecutionStartedAttributes,
} from '../history/events.js';
import { durationFromMs, timestampFromMs } from '../history/protoTime.js';
import type { ExecutionInfo, MutableState, ParentInfo } from '../mutableState/mutableState.js';
import { InvalidTransitionInputError } from './errors.js';
import { scheduleWorkflowTaskIn } from './scheduleWorkflowTask.js';
import { TransitionDraft, type TransitionContext, type TransitionResult } from './transition.js';

/** StartWorkflowExecution's fields the history keeps; `executionInfo.startTimeMs` must equal `context.nowMs`. */
export interface StartWorkflowInput {
  readonly executionInfo: ExecutionInfo;
  readonly identity: string;
  readonly input?: ProtoMessage;
  readonly header?: ProtoMessage;
  readonly memo?: ProtoMessage;
  readonly searchAttributes?: ProtoMessage;
  readonly retryPolicy?: ProtoMessage;
  /** Where the run sits in a chain or tree; absent for a plain start. */
  readonly lineage?: RunLineage;
  /** SignalWithStart's signal: written as event 2, before the first workflow task is scheduled (§5.8). */
  readonly signal?: StartSignal;
  /** Delay of the first workflow task (a retry's backoff, continue-as-new's backoffStartInterval); 0 = none. */
  readonly firstWorkflowTaskBackoffMs?: number;
}

/** The signal of a SignalWithStart. */
export interface StartSignal {
  readonly signalName: string;
  readonly input?: ProtoMessage;
  readonly header?: ProtoMessage;
  readonly identity: string;
  /** Recorded so a retried signal with it is not delivered twice; '' = none. */
  readonly requestId: string;
}

/** How a run relates to others (§5.10): continue-as-new / retry chains and parent links. */
export interface RunLineage {
  /** The chain's first run; defaults to this run. */
  readonly firstExecutionRunId?: string;
  /** The run this one continues (continue-as-new, retry, cron). */
  readonly continuedExecutionRunId?: string;
  /** `CONTINUE_AS_NEW_INITIATOR_*`. */
  readonly initiator?: string;
  /** The workflow retry attempt, from 1. */
  readonly attempt?: number;
  readonly parent?: ParentInfo;
  /** The parent's workflow type, run and namespace fields of the Started event. */
  readonly parentStartedAttributes?: ProtoMessage;
  /** Carried from the previous run (continue-as-new keeps it). */
  readonly lastCompletionResult?: ProtoMessage;
  readonly continuedFailure?: ProtoMessage;
}

/** The chain's execution expiry: carried by a continued run, else this run's start + the execution timeout. */
function executionExpirationMsOf(info: ExecutionInfo): number {
  if (info.workflowExecutionExpirationMs !== undefined && info.workflowExecutionExpirationMs > 0) {
    return info.workflowExecutionExpirationMs;
  }
  return info.workflowExecutionTimeoutMs > 0 ? info.startTimeMs + info.workflowExecutionTimeoutMs : 0;
}

/** The state of a run before its first event. */
function emptyState(input: StartWorkflowInput, taskIdFirst: number): MutableState {
  const info = { ...input.executionInfo, workflowExecutionExpirationMs: executionExpirationMsOf(input.executionInfo) };
  return {
    formatVersion: 1,
    executionInfo: info,
    status: 'running',
    nextEventId: 1,
    lastEventTimeMs: info.startTimeMs,
    lastTaskId: taskIdFirst - 1,
    workflowTask: { phase: 'none' },
    previousStartedEventId: 0,
    stickiness: null,
    bufferedEvents: [],
    signalsReceivedCount: 0,
    signalRequestIds: [],
    cancelRequested: false,
    closeState: null,
    activities: {},
    timers: {},
    children: {},
    externalRequests: {},
    updates: {},
    searchAttributes: indexedFieldsOf(input.searchAttributes),
    memo: fieldsOf(input.memo),
    parent: input.lineage?.parent ?? null,
    parentNotified: false,
    firstExecutionRunId: input.lineage?.firstExecutionRunId ?? info.runId,
    attempt: input.lineage?.attempt ?? 1,
    retrySource:
      input.retryPolicy === undefined
        ? null
        : { retryPolicy: input.retryPolicy, input: input.input ?? null, header: input.header ?? null },
    firstWorkflowTaskBackoffMs: input.firstWorkflowTaskBackoffMs ?? 0,
    historyPayloadBytes: 0,
  };
}

/** `SearchAttributes.indexedFields`, or null when there are none. */
function indexedFieldsOf(searchAttributes: ProtoMessage | undefined): ProtoMessage | null {
  const fields = searchAttributes?.indexedFields;
  return typeof fields === 'object' && fields !== null && Object.keys(fields).length > 0
    ? (fields as ProtoMessage)
    : null;
}

/** `Memo.fields`, or null when there are none. */
function fieldsOf(memo: ProtoMessage | undefined): ProtoMessage | null {
  const fields = memo?.fields;
  return typeof fields === 'object' && fields !== null && Object.keys(fields).length > 0
    ? (fields as ProtoMessage)
    : null;
}

function checkStartInput(input: StartWorkflowInput, context: TransitionContext): void {
  const info = input.executionInfo;
  if (info.startTimeMs !== context.nowMs) {
    throw new InvalidTransitionInputError(`startTimeMs ${info.startTimeMs} must equal nowMs ${context.nowMs}`);
  }
  for (const [name, value] of Object.entries({
    workflowTaskTimeoutMs: info.workflowTaskTimeoutMs,
    workflowRunTimeoutMs: info.workflowRunTimeoutMs,
    workflowExecutionTimeoutMs: info.workflowExecutionTimeoutMs,
  })) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new InvalidTransitionInputError(`${name} must be a non-negative integer (ms), got ${value}`);
    }
  }
  if (info.workflowTaskTimeoutMs === 0) {
    throw new InvalidTransitionInputError('workflowTaskTimeoutMs must be > 0: apply the 10 s default first');
  }
  if (info.workflowId === '' || info.runId === '' || info.taskQueue === '' || info.workflowType === '') {
    throw new InvalidTransitionInputError('workflowId, runId, taskQueue and workflowType must be non-empty');
  }
}

function startedAttributes(input: StartWorkflowInput): WorkflowExecutionStartedAttributes {
  const info = input.executionInfo;
  const lineage = input.lineage ?? {};
  return {
    ...(lineage.parentStartedAttributes ?? {}),
    ...(lineage.continuedExecutionRunId === undefined
      ? {}
      : { continuedExecutionRunId: lineage.continuedExecutionRunId }),
    ...(lineage.initiator === undefined ? {} : { initiator: lineage.initiator }),
    ...(lineage.lastCompletionResult === undefined ? {} : { lastCompletionResult: lineage.lastCompletionResult }),
    ...(lineage.continuedFailure === undefined ? {} : { continuedFailure: lineage.continuedFailure }),
    workflowType: { name: info.workflowType },
    taskQueue: { name: info.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
    ...(input.input === undefined ? {} : { input: input.input }),
    ...(input.header === undefined ? {} : { header: input.header }),
    ...(info.workflowExecutionTimeoutMs === 0
      ? {}
      : { workflowExecutionTimeout: durationFromMs(info.workflowExecutionTimeoutMs) }),
    ...(info.workflowRunTimeoutMs === 0 ? {} : { workflowRunTimeout: durationFromMs(info.workflowRunTimeoutMs) }),
    ...(executionExpirationMsOf(info) === 0
      ? {}
      : { workflowExecutionExpirationTime: timestampFromMs(executionExpirationMsOf(info)) }),
    workflowTaskTimeout: durationFromMs(info.workflowTaskTimeoutMs),
    identity: input.identity,
    attempt: lineage.attempt ?? 1,
    originalExecutionRunId: info.runId,
    firstExecutionRunId: lineage.firstExecutionRunId ?? info.runId,
    workflowId: info.workflowId,
    ...(input.memo === undefined ? {} : { memo: input.memo }),
    ...(input.searchAttributes === undefined ? {} : { searchAttributes: input.searchAttributes }),
    ...(input.retryPolicy === undefined ? {} : { retryPolicy: input.retryPolicy }),
    ...((input.firstWorkflowTaskBackoffMs ?? 0) > 0
      ? { firstWorkflowTaskBackoff: durationFromMs(input.firstWorkflowTaskBackoffMs ?? 0) }
      : {}),
  };
}

/** Creates the run: its state, events 1–2 and the first task's dispatch. */
export function startWorkflow(input: StartWorkflowInput, context: TransitionContext): TransitionResult {
  checkStartInput(input, context);
  const draft = new TransitionDraft(emptyState(input, context.taskIdFirst), context);
  draft.append(workflowExecutionStartedEvent, startedAttributes(input));
  const signal = input.signal;
  if (signal !== undefined) {
    draft.append(workflowExecutionSignaledEvent, {
      signalName: signal.signalName,
      ...(signal.input === undefined ? {} : { input: signal.input }),
      identity: signal.identity,
      ...(signal.header === undefined ? {} : { header: signal.header }),
    });
    draft.update({
      signalsReceivedCount: 1,
      signalRequestIds: signal.requestId === '' ? [] : [signal.requestId],
    });
  }
  // With a backoff the first task waits for its timer (workflowTimers.ts, firstWorkflowTaskBackoff).
  if ((input.firstWorkflowTaskBackoffMs ?? 0) === 0) scheduleWorkflowTaskIn(draft, 1, 'normal');
  return draft.finish();
}

/** The lineage part that links a continued run (continue-as-new, retry) to the chain's parent, if any. */
export function parentLineageOf(parent: ParentInfo | null): Pick<RunLineage, 'parent' | 'parentStartedAttributes'> {
  if (parent === null) return {};
  return {
    parent,
    parentStartedAttributes: {
      parentWorkflowNamespace: parent.namespace,
      parentWorkflowExecution: { workflowId: parent.workflowId, runId: parent.runId },
      parentInitiatedEventId: String(parent.initiatedEventId),
    },
  };
}
