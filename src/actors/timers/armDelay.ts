/**
 * How long to arm the leader's single host timer. Node's `setTimeout` fires at once for delays above 2^31−1 ms
 * (about 24.8 days; ARCHITECTURE.md §5), and a 30-day sleep is normal, so the delay is clamped and the caller
 * re-arms when the clamped timer fires early relative to the timer it serves (popDue then returns nothing).
 */

/** The largest delay Node's `setTimeout` honours. */
export const TIMER_ARM_DELAY_MS_MAX = 2 ** 31 - 1;

/**
 * The delay to arm for a timer due at `fireAtMs` when the clock reads `nowMs`: never negative (an overdue timer
 * arms 0 and fires first), never above {@link TIMER_ARM_DELAY_MS_MAX}, rounded up so it never fires early.
 */
export function armDelayMs(fireAtMs: number, nowMs: number): number {
  const delayMs = Math.ceil(fireAtMs - nowMs);
  if (!(delayMs > 0)) return 0;
  return Math.min(delayMs, TIMER_ARM_DELAY_MS_MAX);
}
