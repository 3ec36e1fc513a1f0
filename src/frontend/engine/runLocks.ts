/**
 * The run actor's mailbox (ARCHITECTURE.md §5): every transition of one run runs alone, in arrival order, so a
 * run's state is read, evaluated and proposed without racing another input of the same run. Runs are independent:
 * different runs proceed concurrently. A run's queue disappears when it drains (actors are created lazily and
 * evicted when idle).
 */

/** Serializes async work per run key. */
export class RunLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `work` after every earlier work of `runKey` settled; its result or error is returned as is. */
  run<T>(runKey: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(runKey) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.then(
      () => undefined,
      () => undefined
    );
    this.tails.set(runKey, tail);
    void tail.then(() => {
      if (this.tails.get(runKey) === tail) this.tails.delete(runKey);
    });
    return next;
  }

  /** Runs queued or running (for tests and metrics). */
  get activeRuns(): number {
    return this.tails.size;
  }
}

/** The lock key of a run. */
export function runLockKey(namespace: string, workflowId: string, runId: string): string {
  return JSON.stringify([namespace, workflowId, runId]);
}
