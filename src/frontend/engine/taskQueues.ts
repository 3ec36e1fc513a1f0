/**
 * In-memory matching (ARCHITECTURE.md §5 "Task queues"): per (namespace, kind, task queue name) a FIFO of task
 * hints and the polls waiting for one. The durable truth is each run's state: the host offers a hint whenever a
 * committed state has a task to hand out, and rebuilds every hint from the stored runs when a shard's gate opens.
 * A hint is not a claim: the poller re-checks it under the run's lock and commits the "started" record before
 * answering, so a stale or duplicate hint is dropped, never handed out twice.
 */

/** Which poll RPC a queue serves. */
export type TaskQueueKind = 'workflow' | 'activity';

interface Waiter<T> {
  readonly resolve: (entry: T | null) => void;
}

/** Pending hints and waiting polls, keyed by namespace, kind and task queue name. */
export class TaskQueues<T> {
  private readonly pending = new Map<string, T[]>();
  private readonly waiters = new Map<string, Waiter<T>[]>();

  /** Hands `entry` to the oldest waiting poll of its queue, or queues it. */
  offer(namespace: string, kind: TaskQueueKind, taskQueue: string, entry: T): void {
    const key = queueKey(namespace, kind, taskQueue);
    const waiter = this.waiters.get(key)?.shift();
    if (waiter !== undefined) {
      waiter.resolve(entry);
      return;
    }
    const queue = this.pending.get(key) ?? [];
    queue.push(entry);
    this.pending.set(key, queue);
  }

  /** Removes every queued hint of a queue and returns them (a sticky queue whose worker left). */
  drain(namespace: string, kind: TaskQueueKind, taskQueue: string): T[] {
    const key = queueKey(namespace, kind, taskQueue);
    const queued = this.pending.get(key) ?? [];
    this.pending.delete(key);
    return queued;
  }

  /** Hints queued on a queue (backlog hint). */
  backlog(namespace: string, kind: TaskQueueKind, taskQueue: string): number {
    return this.pending.get(queueKey(namespace, kind, taskQueue))?.length ?? 0;
  }

  /** True when a poll is waiting on the queue right now. */
  hasPoller(namespace: string, kind: TaskQueueKind, taskQueue: string): boolean {
    return (this.waiters.get(queueKey(namespace, kind, taskQueue))?.length ?? 0) > 0;
  }

  /** The next hint, waiting at most `waitMs`; null when the wait ends or `signal` aborts first. */
  take(
    namespace: string,
    kind: TaskQueueKind,
    taskQueue: string,
    waitMs: number,
    signal: AbortSignal
  ): Promise<T | null> {
    const key = queueKey(namespace, kind, taskQueue);
    const queue = this.pending.get(key);
    const queued = queue?.shift();
    if (queue !== undefined && queue.length === 0) this.pending.delete(key);
    if (queued !== undefined) return Promise.resolve(queued);
    if (signal.aborted) return Promise.resolve(null);
    return new Promise((resolve) => {
      const finish = (entry: T | null): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(entry);
      };
      const waiter: Waiter<T> = { resolve: finish };
      const leave = (): void => {
        const list = this.waiters.get(key) ?? [];
        const index = list.indexOf(waiter);
        if (index >= 0) list.splice(index, 1);
        if (list.length === 0) this.waiters.delete(key);
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

function queueKey(namespace: string, kind: TaskQueueKind, taskQueue: string): string {
  return JSON.stringify([namespace, kind, taskQueue]);
}
