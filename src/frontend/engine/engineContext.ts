/**
 * What the engine's parts share on a node: the shard runtime, the run actors' locks and committer inputs, the
 * in-memory task queues, the queries in flight and the change watchers. One object, built by ShardWorkflowEngine.
 */
import type { RunRef } from '../../actors/runStore/runKeys.js';
import type { QueryRegistry } from './queryRegistry.js';
import type { RunCommitHost } from './runCommitter.js';
import type { TaskQueues } from './taskQueues.js';
import type { WorkflowTasksRunWatchers } from './workflowTasksRunWatchers.js';

/** A hint on a workflow task queue: a scheduled workflow task, or a legacy query task. */
export type WorkflowQueueEntry =
  | { readonly kind: 'workflowTask'; readonly run: RunRef; readonly scheduledEventId: number; readonly attempt: number }
  | { readonly kind: 'query'; readonly queryId: string; readonly run: RunRef; readonly sticky: boolean };

/** A hint on an activity task queue: an activity attempt waiting for a worker. */
export interface ActivityQueueEntry {
  readonly run: RunRef;
  readonly scheduledEventId: number;
  readonly attempt: number;
}

/** The engine's shared parts. */
export interface EngineContext extends RunCommitHost {
  readonly workflowQueues: TaskQueues<WorkflowQueueEntry>;
  readonly activityQueues: TaskQueues<ActivityQueueEntry>;
  readonly watchers: WorkflowTasksRunWatchers;
  readonly queries: QueryRegistry;
}
