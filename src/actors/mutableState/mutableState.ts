/**
 * The per-run mutable state: everything the engine needs to evaluate the next input of one run without reading
 * its history. Plain serializable data (stored with msgpackr): no classes, no Maps, no undefined-vs-missing
 * distinctions that a codec could lose. Transitions never mutate a state they were given; they clone it first.
 */

import type { ProtoMessage, WorkflowExecutionCancelRequestedAttributes } from '../history/events.js';
import type { WorkflowExecutionSignaledAttributes } from '../history/events.js';

/** What identifies and configures the run; fixed at start. */
export interface ExecutionInfo {
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  /** The normal task queue's name. */
  readonly taskQueue: string;
  /** WFT start-to-close (TEMPORAL-API.md §5.3: 10 s default, 120 s max; validated by the caller). */
  readonly workflowTaskTimeoutMs: number;
  /** 0 = none. */
  readonly workflowRunTimeoutMs: number;
  /** 0 = none. */
  readonly workflowExecutionTimeoutMs: number;
  readonly startTimeMs: number;
}

/** Run status, named after `WORKFLOW_EXECUTION_STATUS_*`. */
export type RunStatus = 'running' | 'completed' | 'failed' | 'canceled' | 'terminated' | 'timedOut';

/** Which queue a WFT is dispatched to. */
export type WorkflowTaskQueueKind = 'normal' | 'sticky';

/** The current workflow task. Ids of a transient task (attempt ≥ 2, §5.3) are the ids it will get if it succeeds. */
export type WorkflowTaskState =
  | { readonly phase: 'none' }
  | {
      readonly phase: 'scheduled';
      readonly attempt: number;
      readonly queue: WorkflowTaskQueueKind;
      readonly scheduledEventId: number;
      readonly scheduledTimeMs: number;
      /** True when its Scheduled event is not written (a retry with attempt ≥ 2 and no new events). */
      readonly transient: boolean;
    }
  | {
      readonly phase: 'started';
      readonly attempt: number;
      readonly queue: WorkflowTaskQueueKind;
      readonly scheduledEventId: number;
      readonly scheduledTimeMs: number;
      readonly transient: boolean;
      readonly startedEventId: number;
      readonly startedTimeMs: number;
      /** The poll's request id: a poll retried with it gets the same answer. */
      readonly requestId: string;
      readonly identity: string;
      readonly historySizeBytes: number;
    };

/** Sticky execution set by the last completion's `stickyAttributes` (§5.6); null = none. */
export interface Stickiness {
  readonly stickyTaskQueue: string;
  readonly scheduleToStartTimeoutMs: number;
}

/** An outside event received while a WFT was started; it gets its id and time when flushed (§5.2). */
export type BufferedEvent =
  | { readonly kind: 'signaled'; readonly attributes: WorkflowExecutionSignaledAttributes }
  | { readonly kind: 'cancelRequested'; readonly attributes: WorkflowExecutionCancelRequestedAttributes };

/** How the run closed; null while it is running. */
export interface CloseState {
  readonly status: Exclude<RunStatus, 'running'>;
  readonly closeEventId: number;
  readonly closeTimeMs: number;
  /** The close event's payload (result or failure), kept so result polls need not read history. */
  readonly payload: ProtoMessage | null;
}

/** The whole per-run state. */
export interface MutableState {
  readonly formatVersion: 1;
  readonly executionInfo: ExecutionInfo;
  readonly status: RunStatus;
  /** The id the next written event gets; events are dense from 1. */
  readonly nextEventId: number;
  /** Time of the last written event: later events are stamped no earlier (history invariant 4). */
  readonly lastEventTimeMs: number;
  /** Last taskId written into an event: taskIds must increase. */
  readonly lastTaskId: number;
  readonly workflowTask: WorkflowTaskState;
  /** Started event id of the last COMPLETED workflow task, or 0 (§4). */
  readonly previousStartedEventId: number;
  readonly stickiness: Stickiness | null;
  readonly bufferedEvents: readonly BufferedEvent[];
  /** Signals accepted by this run (appended or buffered), for the per-run signal limit. */
  readonly signalsReceivedCount: number;
  /** Request ids of accepted signals: a retried signal is answered without a second event (§5.8). */
  readonly signalRequestIds: readonly string[];
  /** A cancel request was accepted; later ones are no-ops (§5.10). */
  readonly cancelRequested: boolean;
  readonly closeState: CloseState | null;
}

/** A deep copy that shares nothing mutable with `state` (its parts are plain data). */
export function cloneMutableState(state: MutableState): MutableState {
  return structuredClone(state);
}

/** True when the run is closed: every input but reads is refused. */
export function isClosed(state: MutableState): boolean {
  return state.closeState !== null;
}
