/**
 * Queries in flight (TEMPORAL-API.md §5.8, legacy query tasks): a query is in memory only (nothing about it is
 * replicated: it changes no run), identified by a fresh id carried in its task token. A query task is handed to at
 * most one poll (`claim`), and its answer resolves the waiting QueryWorkflow call once.
 */
import { randomUUID } from 'node:crypto';
import type { ProtoMessage } from '../../actors/history/events.js';
import type { RunRef } from '../../actors/runStore/runKeys.js';
import type { QueryOutcome } from './workflowEngine.js';

/** One query waiting for a worker. */
export interface PendingQuery {
  readonly queryId: string;
  readonly run: RunRef;
  /** `temporal.api.query.v1.WorkflowQuery`. */
  readonly query: ProtoMessage;
  claimed: boolean;
  readonly resolve: (outcome: QueryOutcome) => void;
}

/** The queries of this node. */
export class QueryRegistry {
  private readonly pending = new Map<string, PendingQuery>();

  /** Registers a query; `answered` resolves with the worker's outcome (or never, if it is dropped). */
  register(run: RunRef, query: ProtoMessage): { readonly queryId: string; readonly answered: Promise<QueryOutcome> } {
    const queryId = randomUUID();
    const answered = new Promise<QueryOutcome>((resolve) => {
      this.pending.set(queryId, { queryId, run, query, claimed: false, resolve });
    });
    return { queryId, answered };
  }

  /** Hands the query to a poll: undefined if it is gone or another poll already has it. */
  claim(queryId: string): PendingQuery | undefined {
    const entry = this.pending.get(queryId);
    if (entry === undefined || entry.claimed) return undefined;
    entry.claimed = true;
    return entry;
  }

  /** True while the query waits for a poll. */
  isUnclaimed(queryId: string): boolean {
    return this.pending.get(queryId)?.claimed === false;
  }

  /** Resolves the query with the worker's answer; false if it is unknown (answered, timed out). */
  answer(queryId: string, outcome: QueryOutcome): boolean {
    const entry = this.pending.get(queryId);
    if (entry === undefined) return false;
    this.pending.delete(queryId);
    entry.resolve(outcome);
    return true;
  }

  /** Forgets a query whose caller stopped waiting. */
  drop(queryId: string): void {
    this.pending.delete(queryId);
  }
}
