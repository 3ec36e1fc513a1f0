/**
 * The shape shared by every transition of a run: `(state, input, context) → { state, events, effects }`. Effects
 * are data (STYLE.md rule 5): the leader performs them after the entry that carries the new state commits.
 *
 * {@link TransitionDraft} is the one mutable helper: a transition clones nothing by hand, it writes events and
 * state patches into a draft created from the (never mutated) input state, and returns `draft.finish()`.
 */

import { payloadDataBytes, type RunLimits } from '../limits/runLimits.js';
import { invariant } from '../../raft/core/errors.js';
import type { EventBuilder, HistoryEvent } from '../history/events.js';
import { checkMutableState } from '../mutableState/checkMutableState.js';
import type { MutableState, RunStatus, WorkflowTaskQueueKind } from '../mutableState/mutableState.js';
import { InvalidTransitionInputError, WorkflowClosedError } from './errors.js';

/** Inputs every transition takes besides its own: the leader's time and the shard's taskId counter. */
export interface TransitionContext {
  /** The leader's wall clock at evaluation (epoch ms). Events are stamped max(nowMs, last event time). */
  readonly nowMs: number;
  /** The first taskId this transition may use; it uses consecutive ones and reports `taskIdNext`. */
  readonly taskIdFirst: number;
  /** A fresh run id the transition may give a run it creates (continue-as-new, workflow retry); ids are inputs. */
  readonly freshRunId?: string;
  /** The engine's per-run limits; Temporal's defaults when absent. */
  readonly limits?: RunLimits;
}

/** Identifies one workflow task attempt, as carried by task tokens and timers. */
export interface WorkflowTaskRef {
  readonly scheduledEventId: number;
  readonly attempt: number;
}

/** What the leader does after commit. */
export type Effect =
  | {
      readonly kind: 'dispatchWorkflowTask';
      readonly queue: WorkflowTaskQueueKind;
      /** The queue's name: the normal queue or the sticky one. */
      readonly taskQueue: string;
      readonly scheduledEventId: number;
      readonly attempt: number;
    }
  | {
      readonly kind: 'armTimer';
      readonly timer: 'workflowTaskStartToClose' | 'workflowTaskScheduleToStart';
      readonly fireAtMs: number;
      readonly scheduledEventId: number;
      readonly attempt: number;
    }
  | {
      /** The answer to the poll that started a workflow task (§4). */
      readonly kind: 'respondWorkflowTaskStarted';
      readonly requestId: string;
      readonly scheduledEventId: number;
      readonly startedEventId: number;
      readonly previousStartedEventId: number;
      readonly attempt: number;
      readonly queue: WorkflowTaskQueueKind;
      /** The response's `scheduledTime` and `startedTime` (epoch ms). */
      readonly scheduledTimeMs: number;
      readonly startedTimeMs: number;
      /** Scheduled and Started of a transient attempt: appended to the last history page, never stored (§5.3). */
      readonly transientEvents: readonly HistoryEvent[];
      /** Events in the history the worker sees: the written ones plus the transient suffix. */
      readonly historyLength: number;
    }
  | { readonly kind: 'respondError'; readonly code: 'INVALID_ARGUMENT'; readonly message: string }
  | { readonly kind: 'runClosed'; readonly status: Exclude<RunStatus, 'running'>; readonly closeEventId: number };

/** What a transition returns. `state` is new; the input state is untouched. */
export interface TransitionResult {
  readonly state: MutableState;
  /** Events to append to the run's history, ids consecutive from the input state's nextEventId. */
  readonly events: readonly HistoryEvent[];
  readonly effects: readonly Effect[];
  /** The next unused taskId (`taskIdFirst` + taskIds used). */
  readonly taskIdNext: number;
  /** Runs this transition created in the same shard entry (continue-as-new, workflow retry), each a start. */
  readonly spawned?: readonly TransitionResult[];
}

/** A transition's working copy: the state so far, the events written and the effects to perform. */
export class TransitionDraft {
  private current: MutableState;
  private readonly written: HistoryEvent[] = [];
  private readonly planned: Effect[] = [];
  private readonly spawnedRuns: TransitionResult[] = [];
  private taskIdNext: number;

  constructor(
    state: MutableState,
    readonly context: TransitionContext
  ) {
    checkContext(context, state);
    this.current = state;
    this.taskIdNext = context.taskIdFirst;
  }

  get state(): MutableState {
    return this.current;
  }

  /** Replaces fields of the state (shallow: nested objects are replaced whole, never mutated). */
  update(patch: Partial<MutableState>): void {
    this.current = { ...this.current, ...patch };
  }

  /** Writes one event with the next eventId; `timeMs` defaults to the context's time. */
  append<E extends HistoryEvent, A>(builder: EventBuilder<E, A>, attributes: A, timeMs = this.context.nowMs): E {
    const eventId = this.current.nextEventId;
    const eventTimeMs = Math.max(timeMs, this.current.lastEventTimeMs);
    const event = builder(eventId, eventTimeMs, this.takeTaskId(), attributes);
    this.written.push(event);
    this.update({
      nextEventId: eventId + 1,
      lastEventTimeMs: eventTimeMs,
      historyPayloadBytes: (this.current.historyPayloadBytes ?? 0) + payloadDataBytes(attributes),
    });
    return event;
  }

  /** Builds an event that is shown to a worker but not written (a transient attempt's suffix). */
  buildUnwritten<E extends HistoryEvent, A>(builder: EventBuilder<E, A>, eventId: number, timeMs: number, a: A): E {
    invariant(eventId >= this.current.nextEventId, () => `unwritten event ${eventId} would overwrite history`);
    return builder(eventId, Math.max(timeMs, this.current.lastEventTimeMs), this.takeTaskId(), a);
  }

  effect(effect: Effect): void {
    this.planned.push(effect);
  }

  /** The context a run created by this transition starts with: same time, the next unused taskIds. */
  spawnContext(): TransitionContext {
    return { nowMs: this.context.nowMs, taskIdFirst: this.taskIdNext };
  }

  /** Records a run created with {@link spawnContext}'s taskIds; this draft continues after them. */
  spawn(result: TransitionResult): void {
    invariant(result.taskIdNext >= this.taskIdNext, 'a spawned run uses taskIds after the draft');
    this.spawnedRuns.push(result);
    this.taskIdNext = result.taskIdNext;
  }

  finish(): TransitionResult {
    if (this.taskIdNext > this.context.taskIdFirst) {
      this.update({ lastTaskId: this.taskIdNext - 1 });
    }
    const state = this.current;
    invariant(this.taskIdNext >= this.context.taskIdFirst, 'taskIds only grow');
    checkMutableState(state);
    const result = { state, events: this.written, effects: this.planned, taskIdNext: this.taskIdNext };
    return this.spawnedRuns.length === 0 ? result : { ...result, spawned: this.spawnedRuns };
  }

  private takeTaskId(): number {
    const taskId = this.taskIdNext;
    this.taskIdNext += 1;
    return taskId;
  }
}

/** Refuses inputs on a closed run with the typed error every caller maps to NOT_FOUND. */
export function requireRunning(state: MutableState): void {
  if (state.closeState !== null) {
    throw new WorkflowClosedError(state.executionInfo.workflowId, state.executionInfo.runId);
  }
}

function checkContext(context: TransitionContext, state: MutableState): void {
  if (!Number.isSafeInteger(context.nowMs) || context.nowMs < 0) {
    throw new InvalidTransitionInputError(`nowMs must be a non-negative integer (epoch ms), got ${context.nowMs}`);
  }
  if (!Number.isSafeInteger(context.taskIdFirst) || context.taskIdFirst <= state.lastTaskId) {
    throw new InvalidTransitionInputError(
      `taskIdFirst must be an integer above the run's last taskId ${state.lastTaskId}, got ${context.taskIdFirst}; ` +
        'pass the shard counter, which only grows'
    );
  }
}
