/**
 * The invariants of the crash scenario. Per workflow, from its history: it completed exactly once with the expected
 * result, and each of its two activities was scheduled once and completed once. Per activity, from the executions
 * the worker recorded: it ran at least once; it ran more than once only if its first execution began before the kill
 * (it was in flight: the node may have lost its start or its completion, and then retries it after startToClose);
 * and no execution began after the node had recorded the activity's completion (a committed completion is final).
 */
import type { ActivityExecution } from './activities.js';
import { completedResultOf, eventsNamed, int64, nsToMs, shapeOf, timestampNs } from './historyFacts.js';
import type { History } from './historyFacts.js';

/** The activity types of `twoActivities`, in order. */
export const crashActivityTypes = ['first', 'second'] as const;

/** Closing events other than WorkflowExecutionCompleted, and activity outcomes other than completion. */
const forbiddenEvents = [
  'WorkflowExecutionFailed',
  'WorkflowExecutionTimedOut',
  'WorkflowExecutionTerminated',
  'WorkflowExecutionCanceled',
  'WorkflowExecutionContinuedAsNew',
  'ActivityTaskFailed',
  'ActivityTaskTimedOut',
  'ActivityTaskCanceled',
];

/** What the history check found for one workflow. */
export interface HistoryCheck {
  readonly violations: string[];
  /** Wall-clock ms of each activity's ActivityTaskCompleted event, by activity type. */
  readonly completedAtWallMs: Map<string, number>;
}

/** Checks one `twoActivities` history against `expectedResult`. */
export function checkTwoActivitiesHistory(workflowId: string, history: History, expectedResult: string): HistoryCheck {
  const violations: string[] = [];
  const completedAtWallMs = new Map<string, number>();
  const fail = (what: string): void => void violations.push(`${workflowId}: ${what} [${shapeOf(history)}]`);
  const completions = eventsNamed(history, 'WorkflowExecutionCompleted');
  if (completions.length !== 1) fail(`${completions.length} WorkflowExecutionCompleted events, expected exactly 1`);
  const [completion] = completions;
  if (completion !== undefined) {
    const result = completedResultOf(completion);
    if (result !== expectedResult) fail(`completed with ${JSON.stringify(result)}, expected "${expectedResult}"`);
  }
  for (const name of forbiddenEvents) {
    const count = eventsNamed(history, name).length;
    if (count > 0) fail(`${count} ${name} events`);
  }
  const activityCompletions = eventsNamed(history, 'ActivityTaskCompleted');
  if (activityCompletions.length !== crashActivityTypes.length) {
    fail(`${activityCompletions.length} ActivityTaskCompleted events, expected ${crashActivityTypes.length}`);
  }
  for (const activityType of crashActivityTypes) {
    const scheduled = eventsNamed(history, 'ActivityTaskScheduled').filter(
      (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === activityType
    );
    if (scheduled.length !== 1) fail(`${scheduled.length} ActivityTaskScheduled of ${activityType}, expected 1`);
    const scheduledIds = new Set(scheduled.map((event) => int64(event.eventId)));
    const completed = activityCompletions.filter((event) =>
      scheduledIds.has(int64(event.activityTaskCompletedEventAttributes?.scheduledEventId))
    );
    if (completed.length !== 1) fail(`${completed.length} ActivityTaskCompleted of ${activityType}, expected 1`);
    const completedAtNs = timestampNs(completed[0]?.eventTime);
    if (completedAtNs !== undefined) completedAtWallMs.set(activityType, nsToMs(completedAtNs));
  }
  return { violations, completedAtWallMs };
}

/** What the execution check found over all activities. */
export interface ExecutionCheck {
  readonly totalExecutions: number;
  /** Activities (workflow × type) that ran more than once, and the executions beyond the first. */
  readonly duplicatedActivities: number;
  readonly extraExecutions: number;
  readonly maxExecutionsOfOneActivity: number;
  /** Up to ten of the duplicated activities with their attempts, for the report. */
  readonly duplicateExamples: string[];
  readonly violations: string[];
}

/** An activity's identity in the execution log. */
function activityKey(workflowId: string, activityType: string): string {
  return `${workflowId}/${activityType}`;
}

/**
 * Checks the recorded executions of every activity of `completedAt` (workflowId → type → completion event time).
 * `killAtWallMs` is when the node was killed.
 */
export function checkActivityExecutions(
  executions: readonly ActivityExecution[],
  completedAt: ReadonlyMap<string, ReadonlyMap<string, number>>,
  killAtWallMs: number
): ExecutionCheck {
  const byActivity = new Map<string, ActivityExecution[]>();
  for (const execution of executions) {
    const key = activityKey(execution.workflowId, execution.activityType);
    byActivity.set(key, [...(byActivity.get(key) ?? []), execution]);
  }
  const violations: string[] = [];
  let duplicatedActivities = 0;
  let extraExecutions = 0;
  let maxExecutionsOfOneActivity = 0;
  const duplicateExamples: string[] = [];
  for (const [workflowId, completions] of completedAt) {
    for (const [activityType, completedAtWallMs] of completions) {
      const key = activityKey(workflowId, activityType);
      const runs = (byActivity.get(key) ?? []).sort((left, right) => left.startedAtWallMs - right.startedAtWallMs);
      maxExecutionsOfOneActivity = Math.max(maxExecutionsOfOneActivity, runs.length);
      const [firstRun] = runs;
      if (firstRun === undefined) {
        violations.push(`${key}: completed in the history but never executed by the worker`);
        continue;
      }
      if (runs.length > 1) {
        duplicatedActivities += 1;
        extraExecutions += runs.length - 1;
        if (duplicateExamples.length < 10) duplicateExamples.push(`${key} attempts ${attemptsOf(runs)}`);
        if (firstRun.startedAtWallMs >= killAtWallMs) {
          violations.push(`${key}: ran ${runs.length} times (attempts ${attemptsOf(runs)}), all after the kill`);
        }
      }
      const late = runs.filter((run) => run.startedAtWallMs > completedAtWallMs);
      if (late.length > 0) {
        violations.push(
          `${key}: ${late.length} execution(s) began after its completion was recorded at ${completedAtWallMs} ` +
            `(attempts ${attemptsOf(late)}, began at ${late.map((run) => run.startedAtWallMs).join(',')})`
        );
      }
    }
  }
  return {
    totalExecutions: executions.length,
    duplicatedActivities,
    extraExecutions,
    maxExecutionsOfOneActivity,
    duplicateExamples,
    violations,
  };
}

function attemptsOf(runs: readonly ActivityExecution[]): string {
  return runs.map((run) => run.attempt).join(',');
}
