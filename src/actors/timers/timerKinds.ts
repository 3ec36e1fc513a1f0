/**
 * The kinds of server-side timer (TEMPORAL-API.md §8) as a tagged union. Each carries what its fire handler needs
 * to find its target and to tell a current timer from a stale one (an attempt or event id that has moved on).
 */

/** The run a timer belongs to. */
export interface TimerRunRef {
  namespaceId: string;
  workflowId: string;
  runId: string;
}

/** One server-side timer's purpose (§8 table, one variant per row, activity rows split by timeout). */
export type TimerKind =
  | { kind: 'activityScheduleToStart'; run: TimerRunRef; scheduledEventId: number; attempt: number }
  | { kind: 'activityScheduleToClose'; run: TimerRunRef; scheduledEventId: number }
  | { kind: 'activityStartToClose'; run: TimerRunRef; scheduledEventId: number; attempt: number }
  | { kind: 'activityHeartbeat'; run: TimerRunRef; scheduledEventId: number; attempt: number }
  | { kind: 'activityRetryBackoff'; run: TimerRunRef; scheduledEventId: number; attempt: number }
  | { kind: 'workflowTaskStartToClose'; run: TimerRunRef; scheduledEventId: number; attempt: number }
  | { kind: 'stickyScheduleToStart'; run: TimerRunRef; scheduledEventId: number; attempt: number }
  | { kind: 'firstWorkflowTaskBackoff'; run: TimerRunRef }
  | { kind: 'workflowRunTimeout'; run: TimerRunRef }
  | { kind: 'workflowExecutionTimeout'; run: TimerRunRef }
  | { kind: 'userTimer'; run: TimerRunRef; timerId: string; startedEventId: number }
  | { kind: 'longPollExpiry'; pollId: string };

/** The name of a timer kind. */
export type TimerKindName = TimerKind['kind'];

/** A timer a run's state implies, due at `fireAtMs` (epoch ms): the engine derives these after every commit. */
export interface DueTimer {
  readonly fireAtMs: number;
  readonly timer: TimerKind;
}
