/**
 * The history-length limit applied to every transition's result (runLimits.ts): a transition that leaves an open
 * run at or past `historyEventsMax` events is followed, in the same entry, by WorkflowExecutionTerminated.
 */
import { serverIdentity, terminateWorkflow } from '../workflowTask/terminateWorkflow.js';
import type { TransitionContext, TransitionResult } from '../workflowTask/transition.js';
import { defaultRunLimits, HISTORY_LIMIT_REASON, historyTooLong } from './runLimits.js';

/** `result`, or `result` followed by the run's termination when its history is too long. */
export function enforceHistoryLimit(result: TransitionResult, context: TransitionContext): TransitionResult {
  const limits = context.limits ?? defaultRunLimits;
  if (result.state.closeState !== null || !historyTooLong(result.state, limits)) return result;
  const terminated = terminateWorkflow(
    result.state,
    { reason: HISTORY_LIMIT_REASON, identity: serverIdentity },
    { ...context, taskIdFirst: result.taskIdNext }
  );
  return {
    ...terminated,
    events: [...result.events, ...terminated.events],
    effects: [...result.effects, ...terminated.effects],
    ...(result.spawned === undefined ? {} : { spawned: result.spawned }),
  };
}
