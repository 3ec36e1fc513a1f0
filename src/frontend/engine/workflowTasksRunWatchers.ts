/**
 * Wakes history long polls (GetWorkflowExecutionHistory with waitNewEvent) when a run changes on this node. Only
 * changes committed through this node's engine are seen, which on the single-node dev path is all of them.
 */
import type { ExecutionRef } from './workflowEngine.js';

/** Waiters per workflow id; a change of any run of the id wakes them (they re-read, so over-waking is harmless). */
export class WorkflowTasksRunWatchers {
  private readonly waiters = new Map<string, Set<() => void>>();

  /** Resolves when `execution` changes, after `waitMs`, or when `signal` aborts, whichever is first. */
  waitForChange(execution: ExecutionRef, waitMs: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    const key = watchKey(execution);
    return new Promise((resolve) => {
      const set = this.waiters.get(key) ?? new Set<() => void>();
      const wake = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', wake);
        set.delete(wake);
        if (set.size === 0 && this.waiters.get(key) === set) this.waiters.delete(key);
        resolve();
      };
      const timer = setTimeout(wake, waitMs);
      signal.addEventListener('abort', wake, { once: true });
      set.add(wake);
      this.waiters.set(key, set);
    });
  }

  /** Wakes every wait on `execution`'s workflow id. */
  notify(execution: ExecutionRef): void {
    for (const wake of [...(this.waiters.get(watchKey(execution)) ?? [])]) wake();
  }
}

function watchKey(execution: ExecutionRef): string {
  return JSON.stringify([execution.namespace, execution.workflowId]);
}
