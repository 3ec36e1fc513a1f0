/**
 * A user timer's server timer fired (TEMPORAL-API.md §5.5, §8): TimerFired{timerId, startedEventId} as an outside
 * event (buffered while a workflow task is started, else written with a task scheduled) and the timer removed.
 * The timer is re-checked against the state: one that was cancelled, already fired, restarted under the same id,
 * or is not yet due is stale and yields null (timers never fire early).
 */

import type { MutableState } from '../mutableState/mutableState.js';
import { acceptOutsideEventIn } from '../workflowTask/bufferedEvents.js';
import { TransitionDraft, type TransitionContext, type TransitionResult } from '../workflowTask/transition.js';

/** The timer that fired, as its DueTimer named it. */
export interface FireUserTimerInput {
  readonly timerId: string;
  readonly startedEventId: number;
}

/** Fires the pending timer `input` names at `context.nowMs`; null if it is stale or not due yet. */
export function fireUserTimer(
  state: MutableState,
  input: FireUserTimerInput,
  context: TransitionContext
): TransitionResult | null {
  if (state.closeState !== null || !Object.hasOwn(state.timers, input.timerId)) {
    return null;
  }
  const { [input.timerId]: timer, ...rest } = state.timers;
  if (timer === undefined || timer.startedEventId !== input.startedEventId || context.nowMs < timer.fireAtMs) {
    return null;
  }
  const draft = new TransitionDraft(state, context);
  draft.update({ timers: rest });
  acceptOutsideEventIn(draft, {
    kind: 'loose',
    eventType: 'EVENT_TYPE_TIMER_FIRED',
    attributes: { timerId: input.timerId, startedEventId: String(input.startedEventId) },
  });
  return draft.finish();
}
