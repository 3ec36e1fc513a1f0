/**
 * Activities of the engine fault scenarios. They run in the harness process and record every execution (workflow
 * id, activity type, attempt, start and end time) so that the checker can tell which activities ran more than once.
 */
import { Context } from '@temporalio/activity';

/** One execution of an activity function, as the worker ran it. */
export interface ActivityExecution {
  readonly workflowId: string;
  readonly activityType: string;
  readonly attempt: number;
  /** Wall-clock `Date.now()` when the function was entered and when it returned: compared with event times, which
   * the node (on this machine, same clock) stamps. */
  readonly startedAtWallMs: number;
  readonly endedAtWallMs: number;
}

/** The activity functions, as the workflows see them. */
export interface EngineActivities {
  first(n: number): Promise<string>;
  second(x: string): Promise<string>;
  echo(input: string): Promise<string>;
}

/** Creates the activities, appending every execution to `executions`. */
export function createRecordingActivities(executions: ActivityExecution[]): EngineActivities {
  const recorded = async <T>(compute: () => T): Promise<T> => {
    const startedAtWallMs = Date.now();
    const { activityType, attempt, workflowExecution } = Context.current().info;
    const result = compute();
    const workflowId = workflowExecution?.workflowId ?? '(none)';
    executions.push({ workflowId, activityType, attempt, startedAtWallMs, endedAtWallMs: Date.now() });
    return result;
  };
  return {
    first: (n) => recorded(() => `a${n}`),
    second: (x) => recorded(() => `${x}-b`),
    echo: (input) => recorded(() => input),
  };
}
