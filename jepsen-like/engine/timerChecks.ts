/**
 * The invariants of the timer scenario, from one `sleeper(durationMs)` history: it completed exactly once with its
 * duration; it started exactly one timer, of exactly that duration; every TimerStarted has its TimerFired, and no
 * timer fired early: TimerFired.eventTime ≥ TimerStarted.eventTime + startToFireTimeout (exact, in nanoseconds).
 */
import { completedResultOf, durationNs, eventsNamed, int64, nsToMs, shapeOf, timestampNs } from './historyFacts.js';
import type { History } from './historyFacts.js';

/** One timer's schedule and firing, for the lateness figures. */
export interface TimerFiring {
  /** Wall-clock ms when the timer was due (TimerStarted time + duration). */
  readonly dueAtWallMs: number;
  /** TimerFired time − due time, ms (≥ 0 when the invariant holds). */
  readonly latenessMs: number;
}

/** What the check found for one workflow. */
export interface TimerCheck {
  readonly violations: string[];
  readonly timersStarted: number;
  readonly firings: TimerFiring[];
}

/** Checks the history of `sleeper(durationMs)` run as `workflowId`. */
export function checkSleeperHistory(workflowId: string, history: History, durationMs: number): TimerCheck {
  const violations: string[] = [];
  const fail = (what: string): void => void violations.push(`${workflowId}: ${what} [${shapeOf(history)}]`);
  const completions = eventsNamed(history, 'WorkflowExecutionCompleted');
  if (completions.length !== 1) fail(`${completions.length} WorkflowExecutionCompleted events, expected exactly 1`);
  const [completion] = completions;
  if (completion !== undefined && completedResultOf(completion) !== durationMs) {
    fail(`completed with ${JSON.stringify(completedResultOf(completion))}, expected ${durationMs}`);
  }
  const started = eventsNamed(history, 'TimerStarted');
  const fired = eventsNamed(history, 'TimerFired');
  if (started.length !== 1) fail(`${started.length} TimerStarted events, expected 1`);
  const firings: TimerFiring[] = [];
  for (const timer of started) {
    const attributes = timer.timerStartedEventAttributes;
    const timerDurationNs = durationNs(attributes?.startToFireTimeout);
    if (timerDurationNs !== BigInt(durationMs) * 1_000_000n) {
      fail(`timer ${attributes?.timerId} lasts ${String(timerDurationNs)} ns, the workflow asked for ${durationMs} ms`);
    }
    const firedEvents = fired.filter(
      (event) => int64(event.timerFiredEventAttributes?.startedEventId) === int64(timer.eventId)
    );
    const startedAtNs = timestampNs(timer.eventTime);
    const firedAtNs = timestampNs(firedEvents[0]?.eventTime);
    if (firedEvents.length !== 1 || startedAtNs === undefined || firedAtNs === undefined) {
      fail(`timer ${attributes?.timerId} (event ${int64(timer.eventId)}) fired ${firedEvents.length} times`);
      continue;
    }
    const dueAtNs = startedAtNs + (timerDurationNs ?? 0n);
    if (firedAtNs < dueAtNs) {
      fail(`timer ${attributes?.timerId} fired ${nsToMs(dueAtNs - firedAtNs)} ms early (due ${dueAtNs} ns)`);
    }
    firings.push({ dueAtWallMs: nsToMs(dueAtNs), latenessMs: nsToMs(firedAtNs - dueAtNs) });
  }
  if (fired.length !== started.length) fail(`${fired.length} TimerFired for ${started.length} TimerStarted`);
  return { violations, timersStarted: started.length, firings };
}
