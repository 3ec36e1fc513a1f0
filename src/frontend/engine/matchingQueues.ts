/**
 * In-memory matching for the single-node dev path: per (namespace, task queue), a FIFO of runs whose workflow task
 * is scheduled, and the polls waiting for one. Shortcuts (dev node only, documented on purpose):
 * - the queue is not durable: after a restart it starts empty, and the engine refills it from the stored runs when
 *   each shard's gate opens (ShardWorkflowEngine.requeueScheduledTasks);
 * - an entry is a hint, not a claim: the poller re-reads the run and commits WorkflowTaskStarted under an optimistic
 *   precondition, so a stale or duplicate entry is dropped, never handed out twice.
 */
import type { ExecutionRef } from './workflowEngine.js';

/** A run with a scheduled workflow task, as queued (its runId is always set). */
export type QueuedRun = ExecutionRef;

interface Waiter {
  readonly resolve: (run: QueuedRun | null) => void;
}

/** Pending workflow tasks and waiting polls, keyed by namespace and task queue name. */
export class MatchingQueues {
  private readonly pending = new Map<string, QueuedRun[]>();
  private readonly waiters = new Map<string, Waiter[]>();

  /** Hands `run` to the oldest waiting poll of its queue, or queues it. */
  offer(taskQueue: string, run: QueuedRun): void {
    const key = queueKey(run.namespace, taskQueue);
    const waiter = this.waiters.get(key)?.shift();
    if (waiter !== undefined) {
      waiter.resolve(run);
      return;
    }
    const queue = this.pending.get(key) ?? [];
    queue.push(run);
    this.pending.set(key, queue);
  }

  /** The next queued run, waiting at most `waitMs`; null when the wait ends or `signal` aborts first. */
  take(namespace: string, taskQueue: string, waitMs: number, signal: AbortSignal): Promise<QueuedRun | null> {
    const key = queueKey(namespace, taskQueue);
    const queued = this.pending.get(key)?.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (signal.aborted) return Promise.resolve(null);
    return new Promise((resolve) => {
      const finish = (run: QueuedRun | null): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(run);
      };
      const waiter: Waiter = { resolve: finish };
      const leave = (): void => {
        const list = this.waiters.get(key) ?? [];
        const index = list.indexOf(waiter);
        if (index >= 0) list.splice(index, 1);
        finish(null);
      };
      const onAbort = (): void => leave();
      const timer = setTimeout(leave, waitMs);
      signal.addEventListener('abort', onAbort, { once: true });
      const list = this.waiters.get(key) ?? [];
      list.push(waiter);
      this.waiters.set(key, list);
    });
  }
}

function queueKey(namespace: string, taskQueue: string): string {
  return JSON.stringify([namespace, taskQueue]);
}
