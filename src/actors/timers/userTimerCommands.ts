/**
 * START_TIMER and CANCEL_TIMER (TEMPORAL-API.md §5.5, §7). A started timer is kept in `state.timers` with the time
 * it is due; its server timer is derived from that entry (workflowTimers.ts). Cancelling a timer whose TimerFired
 * is still in the buffer removes that event and writes TimerCanceled instead, as Temporal does
 * (`AddTimerCanceledEvent` → `checkAndClearTimerFiredEvent`): the worker never sees both for one timer.
 *
 * `validate` sees the state before the completion, but Temporal checks each command after the ones before it (a
 * timerId started twice in one completion is refused; a timer started and cancelled in one completion is fine).
 * So the timer ids as they stand after the commands validated so far are kept per completion, keyed by the
 * completion's scope object (one per completion, validated in command order; see completeWorkflowTask.ts).
 */

import { invariant } from '../../raft/core/errors.js';
import { durationMsFromProto, InvalidDurationError, type ProtoDuration } from '../activities/durations.js';
import type { ProtoMessage } from '../history/events.js';
import { looseEvent } from '../history/looseEvents.js';
import { durationFromMs, msFromTimestamp } from '../history/protoTime.js';
import type { BufferedEvent, MutableState, UserTimerInfo } from '../mutableState/mutableState.js';
import {
  attributesOf,
  type CompletionScope,
  type CommandHandler,
  type CommandHandlerTable,
  type CommandRejection,
  type ProtoCommand,
} from '../workflowTask/commandHandlers.js';

/** Temporal's id length limit (§10), applied to timer ids as Temporal does. */
export const TIMER_ID_LENGTH_MAX = 1000;

const startMember = 'startTimerCommandAttributes';
const cancelMember = 'cancelTimerCommandAttributes';
const badStart = 'WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES';
const badCancel = 'WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES';

/** The timer ids a completion's commands can refer to, after the commands validated so far. */
interface CompletionTimerIds {
  /** Started and not fired: START_TIMER may not reuse them, CANCEL_TIMER cancels them. */
  readonly pending: Set<string>;
  /** Fired with TimerFired still buffered: CANCEL_TIMER replaces the TimerFired. */
  readonly firedBuffered: Set<string>;
}

const timerIdsByCompletion = new WeakMap<CompletionScope, CompletionTimerIds>();

/** The completion's timer ids, initialised from the state on its first timer command. */
function timerIdsOf(scope: CompletionScope, state: MutableState): CompletionTimerIds {
  let ids = timerIdsByCompletion.get(scope);
  if (ids === undefined) {
    const firedBuffered = state.bufferedEvents.flatMap((event) =>
      event.kind === 'loose' && event.eventType === 'EVENT_TYPE_TIMER_FIRED'
        ? [String(event.attributes['timerId'])]
        : []
    );
    ids = { pending: new Set(Object.keys(state.timers)), firedBuffered: new Set(firedBuffered) };
    timerIdsByCompletion.set(scope, ids);
  }
  return ids;
}

/** The timer id of a timer command's attributes, or null if it is not a string. */
function timerIdOf(attributes: ProtoMessage | null): string | null {
  const timerId = attributes?.['timerId'];
  return typeof timerId === 'string' ? timerId : null;
}

/** The validated start-to-fire timeout in ms, or the reason it is not acceptable. */
function startToFireMsOf(attributes: ProtoMessage): number | string {
  const timeout = attributes['startToFireTimeout'];
  if (typeof timeout !== 'object' || timeout === null) {
    return 'startToFireTimeout is required';
  }
  try {
    const timeoutMs = durationMsFromProto('startToFireTimeout', timeout as ProtoDuration) ?? 0;
    return timeoutMs > 0 ? timeoutMs : 'startToFireTimeout must be greater than 0';
  } catch (error) {
    if (error instanceof InvalidDurationError) {
      return error.message;
    }
    throw error;
  }
}

function validateStartTimer(
  command: ProtoCommand,
  state: MutableState,
  scope: CompletionScope
): CommandRejection | null {
  const attributes = attributesOf(command, startMember);
  const timerId = timerIdOf(attributes);
  const reject = (why: string): CommandRejection => ({ cause: badStart, message: `START_TIMER: ${why}` });
  if (attributes === null) {
    return reject(`${startMember} is required`);
  }
  if (timerId === null || timerId === '' || timerId.length > TIMER_ID_LENGTH_MAX) {
    return reject(`timerId must be a non-empty string of at most ${TIMER_ID_LENGTH_MAX} characters`);
  }
  const ids = timerIdsOf(scope, state);
  if (ids.pending.has(timerId)) {
    return reject(`timer ${JSON.stringify(timerId)} is already started; use a new timerId or cancel it first`);
  }
  const timeoutMs = startToFireMsOf(attributes);
  if (typeof timeoutMs === 'string') {
    return reject(timeoutMs);
  }
  ids.pending.add(timerId);
  return null;
}

const startTimerHandler: CommandHandler = {
  closesRun: false,
  validate: validateStartTimer,
  apply: (draft, command, workflowTaskCompletedEventId) => {
    const attributes = attributesOf(command, startMember);
    const timerId = timerIdOf(attributes);
    invariant(attributes !== null && timerId !== null, 'START_TIMER was validated');
    const timeoutMs = startToFireMsOf(attributes);
    invariant(typeof timeoutMs === 'number', 'START_TIMER timeout was validated');
    const event = draft.append(looseEvent('EVENT_TYPE_TIMER_STARTED'), {
      timerId,
      startToFireTimeout: durationFromMs(timeoutMs),
      workflowTaskCompletedEventId: String(workflowTaskCompletedEventId),
    });
    // Due from the event's own time, which is max(nowMs, last event time): the timer never fires early.
    const timer: UserTimerInfo = {
      timerId,
      startedEventId: Number(event.eventId),
      fireAtMs: msFromTimestamp(event.eventTime) + timeoutMs,
    };
    draft.update({ timers: { ...draft.state.timers, [timerId]: timer } });
    return false;
  },
};

/** The index of the buffered TimerFired of `timerId`, or -1. */
function bufferedFiredIndex(buffered: readonly BufferedEvent[], timerId: string): number {
  return buffered.findIndex(
    (event) =>
      event.kind === 'loose' && event.eventType === 'EVENT_TYPE_TIMER_FIRED' && event.attributes['timerId'] === timerId
  );
}

function validateCancelTimer(
  command: ProtoCommand,
  state: MutableState,
  scope: CompletionScope
): CommandRejection | null {
  const timerId = timerIdOf(attributesOf(command, cancelMember));
  if (timerId === null) {
    return { cause: badCancel, message: `CANCEL_TIMER: ${cancelMember}.timerId is required` };
  }
  const ids = timerIdsOf(scope, state);
  if (!ids.pending.delete(timerId) && !ids.firedBuffered.delete(timerId)) {
    return {
      cause: badCancel,
      message: `CANCEL_TIMER: no pending timer ${JSON.stringify(timerId)}; cancel only timers that were started`,
    };
  }
  return null;
}

const cancelTimerHandler: CommandHandler = {
  closesRun: false,
  validate: validateCancelTimer,
  apply: (draft, command, workflowTaskCompletedEventId, scope) => {
    const timerId = timerIdOf(attributesOf(command, cancelMember));
    invariant(timerId !== null, 'CANCEL_TIMER was validated');
    const { [timerId]: pending, ...rest } = draft.state.timers;
    let startedEventId: unknown = pending?.startedEventId;
    if (pending === undefined) {
      const buffered = draft.state.bufferedEvents;
      const index = bufferedFiredIndex(buffered, timerId);
      const fired = buffered[index];
      invariant(fired !== undefined && fired.kind === 'loose', () => `timer ${timerId} is neither pending nor fired`);
      startedEventId = fired.attributes['startedEventId'];
      draft.update({ bufferedEvents: buffered.filter((_, at) => at !== index) });
    }
    draft.append(looseEvent('EVENT_TYPE_TIMER_CANCELED'), {
      timerId,
      startedEventId: String(startedEventId),
      workflowTaskCompletedEventId: String(workflowTaskCompletedEventId),
      identity: scope.identity,
    });
    draft.update({ timers: rest });
    return false;
  },
};

/** The user timer command handlers, to be merged into the default table. */
export const userTimerCommandHandlers: CommandHandlerTable = {
  COMMAND_TYPE_START_TIMER: startTimerHandler,
  COMMAND_TYPE_CANCEL_TIMER: cancelTimerHandler,
};
