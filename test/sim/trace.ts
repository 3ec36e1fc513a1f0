/**
 * The run's trace: one grep-friendly line per event (TESTING.md §3), kept in a bounded ring so a failing run
 * can print its tail. Line shape:
 *
 *   t=000123 n2 g1 L t5 c10 a9 log[3..12] deliver app<-n1
 *
 * role is F/P/C/L (follower, pre-candidate, candidate, leader) or `-` when the replica is down; markers:
 * `!` crash, `^` restart, `$` snapshot, `~` partition, `%` pause.
 */

export interface ReplicaSummary {
  readonly role: string;
  readonly term: number;
  readonly commit: number;
  readonly applied: number;
  readonly firstIndex: number;
  readonly lastIndex: number;
}

const ROLE_LETTERS: Readonly<Record<string, string>> = {
  follower: 'F',
  preCandidate: 'P',
  candidate: 'C',
  leader: 'L',
};

export class Trace {
  private readonly lines: string[] = [];
  private next = 0;
  /** Every line also goes to `sink` when set (verbose runs). */
  sink: ((line: string) => void) | null = null;

  constructor(private readonly capacity: number) {}

  record(
    timeTicks: number,
    nodeId: number | null,
    groupId: number | null,
    summary: ReplicaSummary | null,
    text: string
  ): void {
    const node = nodeId === null ? '--' : `n${nodeId}`;
    const group = groupId === null ? '--' : `g${groupId}`;
    const state =
      summary === null
        ? '- - - - -'
        : `${ROLE_LETTERS[summary.role] ?? '?'} t${summary.term} c${summary.commit} a${summary.applied} ` +
          `log[${summary.firstIndex}..${summary.lastIndex}]`;
    const line = `t=${String(timeTicks).padStart(6, '0')} ${node} ${group} ${state} ${text}`;
    if (this.lines.length < this.capacity) this.lines.push(line);
    else this.lines[this.next] = line;
    this.next = (this.next + 1) % this.capacity;
    if (this.sink !== null) this.sink(line);
  }

  /** The last `count` lines, oldest first. */
  tail(count: number): string[] {
    const ordered =
      this.lines.length < this.capacity
        ? this.lines.slice()
        : [...this.lines.slice(this.next), ...this.lines.slice(0, this.next)];
    return ordered.slice(Math.max(0, ordered.length - count));
  }
}
