/**
 * The Jepsen-style client history: every op is an `invoke` followed by `ok` (it happened, with its result),
 * `fail` (it certainly did not happen) or `info` (unknown: timeouts are always `info`). Positions give a strict
 * real-time order; tick times are kept for reading traces.
 */

export type KvOp =
  | { readonly kind: 'put'; readonly key: string; readonly value: number }
  | { readonly kind: 'get'; readonly key: string }
  | { readonly kind: 'cas'; readonly key: string; readonly expected: number | null; readonly value: number };

/** The result an `ok` carries: a read value, or whether a cas swapped. */
export type KvOutput =
  | { readonly kind: 'put' }
  | { readonly kind: 'get'; readonly value: number | null }
  | { readonly kind: 'cas'; readonly swapped: boolean };

export interface HistoryEvent {
  readonly type: 'invoke' | 'ok' | 'fail' | 'info';
  readonly clientId: number;
  readonly opSeq: number;
  readonly op: KvOp;
  readonly output: KvOutput | null;
  readonly position: number;
  readonly timeTicks: number;
}

/** One op with its completion, as the linearizability checker consumes it. */
export interface CompletedOp {
  readonly clientId: number;
  readonly opSeq: number;
  readonly op: KvOp;
  /** Null when the outcome is unknown (`info`). */
  readonly output: KvOutput | null;
  readonly callPosition: number;
  /** Infinity for `info` ops: they may take effect at any time after their call. */
  readonly returnPosition: number;
}

export class History {
  readonly events: HistoryEvent[] = [];

  record(event: Omit<HistoryEvent, 'position'>): void {
    this.events.push({ ...event, position: this.events.length });
  }

  /** Pairs invokes with completions; `fail` ops are dropped (they did not happen), open invokes become `info`. */
  completedOps(): CompletedOp[] {
    const open = new Map<string, HistoryEvent>();
    const out: CompletedOp[] = [];
    for (const event of this.events) {
      const id = `${event.clientId}/${event.opSeq}`;
      if (event.type === 'invoke') {
        if (open.has(id)) throw new Error(`op ${id} invoked twice`);
        open.set(id, event);
        continue;
      }
      const invoke = open.get(id);
      if (invoke === undefined) throw new Error(`op ${id} completed without an invoke`);
      open.delete(id);
      if (event.type === 'fail') continue;
      out.push({
        clientId: invoke.clientId,
        opSeq: invoke.opSeq,
        op: invoke.op,
        output: event.type === 'ok' ? event.output : null,
        callPosition: invoke.position,
        returnPosition: event.type === 'ok' ? event.position : Infinity,
      });
    }
    for (const invoke of open.values()) {
      out.push({ ...invoke, output: null, callPosition: invoke.position, returnPosition: Infinity });
    }
    return out;
  }

  /** Counts per completion type, for the run summary. */
  counts(): Record<HistoryEvent['type'], number> {
    const counts = { invoke: 0, ok: 0, fail: 0, info: 0 };
    for (const event of this.events) counts[event.type]++;
    return counts;
  }
}
