/**
 * Linearizability checker for the simulator's key-value history, after Wing & Gong with Lowe's memoization as
 * in Porcupine: ops are partitioned per key (a register is P-compositional), then a depth-first search tries to
 * linearize each op between its call and its return, caching (linearized set, state) pairs already explored.
 * `info` ops return at infinity and accept any output, so they may take effect at any point after their call or
 * never (linearized last, where nothing observes them). Unknown-output reads carry no information and are
 * dropped before the search.
 */
import type { CompletedOp, KvOp, KvOutput } from './history.js';

type RegisterValue = number | null;

export type LinearizabilityResult =
  | { readonly status: 'ok'; readonly keysChecked: number }
  | { readonly status: 'illegal'; readonly key: string; readonly ops: readonly CompletedOp[] }
  | { readonly status: 'unknown'; readonly key: string; readonly stepsExplored: number };

interface ListEntry {
  readonly opIndex: number;
  readonly isCall: boolean;
  readonly position: number;
  match: ListEntry | null;
  prev: ListEntry | null;
  next: ListEntry | null;
}

/** The register model: returns the next state, or null if `output` is impossible from `state`. */
export function stepRegister(state: RegisterValue, op: KvOp, output: KvOutput | null): { next: RegisterValue } | null {
  switch (op.kind) {
    case 'put':
      return { next: op.value };
    case 'get':
      if (output === null) return { next: state };
      return output.kind === 'get' && output.value === state ? { next: state } : null;
    case 'cas': {
      const matches = state === op.expected;
      if (output === null) return { next: matches ? op.value : state };
      if (output.kind !== 'cas' || output.swapped !== matches) return null;
      return { next: matches ? op.value : state };
    }
    default: {
      const exhaustive: never = op;
      throw new Error(`unknown op ${JSON.stringify(exhaustive)}`);
    }
  }
}

/** Checks the whole history, key by key, starting from every key absent (null). */
export function checkLinearizable(ops: readonly CompletedOp[], stepsMax = 2_000_000): LinearizabilityResult {
  const byKey = new Map<string, CompletedOp[]>();
  for (const op of ops) {
    if (op.op.kind === 'get' && op.output === null) continue;
    const list = byKey.get(op.op.key) ?? [];
    list.push(op);
    byKey.set(op.op.key, list);
  }
  for (const key of [...byKey.keys()].sort()) {
    const keyOps = byKey.get(key) as CompletedOp[];
    const result = checkRegister(keyOps, stepsMax);
    if (result === 'illegal') return { status: 'illegal', key, ops: keyOps };
    if (typeof result === 'number') return { status: 'unknown', key, stepsExplored: result };
  }
  return { status: 'ok', keysChecked: byKey.size };
}

function buildList(ops: readonly CompletedOp[]): ListEntry {
  const entries: ListEntry[] = [];
  ops.forEach((op, opIndex) => {
    const call: ListEntry = { opIndex, isCall: true, position: op.callPosition, match: null, prev: null, next: null };
    const ret: ListEntry = { opIndex, isCall: false, position: op.returnPosition, match: null, prev: null, next: null };
    call.match = ret;
    entries.push(call, ret);
  });
  // Calls before returns at equal positions (only infinities tie): info ops stay concurrent with each other.
  entries.sort(
    (a, b) => a.position - b.position || (a.isCall === b.isCall ? a.opIndex - b.opIndex : a.isCall ? -1 : 1)
  );
  const head: ListEntry = { opIndex: -1, isCall: false, position: -Infinity, match: null, prev: null, next: null };
  let previous = head;
  for (const entry of entries) {
    previous.next = entry;
    entry.prev = previous;
    previous = entry;
  }
  return head;
}

function lift(entry: ListEntry): void {
  const ret = entry.match as ListEntry;
  (entry.prev as ListEntry).next = entry.next;
  if (entry.next !== null) entry.next.prev = entry.prev;
  (ret.prev as ListEntry).next = ret.next;
  if (ret.next !== null) ret.next.prev = ret.prev;
}

function unlift(entry: ListEntry): void {
  const ret = entry.match as ListEntry;
  (ret.prev as ListEntry).next = ret;
  if (ret.next !== null) ret.next.prev = ret;
  (entry.prev as ListEntry).next = entry;
  if (entry.next !== null) entry.next.prev = entry;
}

/** True if linearizable, 'illegal' if not, or the step count when the budget ran out. */
function checkRegister(ops: readonly CompletedOp[], stepsMax: number): true | 'illegal' | number {
  const head = buildList(ops);
  const linearized = new Uint8Array(ops.length);
  const cache = new Set<string>();
  const stack: { entry: ListEntry; state: RegisterValue }[] = [];
  let definiteLeft = ops.filter((op) => op.returnPosition !== Infinity).length;
  let state: RegisterValue = null;
  let entry = head.next;
  let steps = 0;
  while (head.next !== null) {
    if (definiteLeft === 0) return true; // Only info ops remain: linearize them last, where nothing sees them.
    if (++steps > stepsMax) return steps;
    if (entry !== null && entry.isCall) {
      const op = ops[entry.opIndex] as CompletedOp;
      const stepped = stepRegister(state, op.op, op.output);
      if (stepped !== null) {
        linearized[entry.opIndex] = 1;
        const cacheKey = `${linearized.join('')}|${String(stepped.next)}`;
        if (!cache.has(cacheKey)) {
          cache.add(cacheKey);
          stack.push({ entry, state });
          state = stepped.next;
          if (op.returnPosition !== Infinity) definiteLeft--;
          lift(entry);
          entry = head.next;
          continue;
        }
        linearized[entry.opIndex] = 0;
      }
      entry = entry.next;
      continue;
    }
    // A return (or the end) reached: the op it closes was not linearized on this path, so backtrack.
    const top = stack.pop();
    if (top === undefined) return 'illegal';
    const op = ops[top.entry.opIndex] as CompletedOp;
    if (op.returnPosition !== Infinity) definiteLeft++;
    linearized[top.entry.opIndex] = 0;
    state = top.state;
    unlift(top.entry);
    entry = top.entry.next;
  }
  return true;
}
