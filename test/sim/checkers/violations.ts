/**
 * Where checkers report broken invariants. The first violation stops the run (fail-stop, like the
 * assertions it mirrors); later ones are kept for the report.
 */

export interface Violation {
  readonly invariant: string;
  readonly detail: string;
  readonly timeTicks: number;
}

export class ViolationLog {
  readonly violations: Violation[] = [];

  constructor(private readonly nowTicks: () => number) {}

  report(invariantName: string, detail: string): void {
    this.violations.push({ invariant: invariantName, detail, timeTicks: this.nowTicks() });
  }

  get failed(): boolean {
    return this.violations.length > 0;
  }
}

/** A 32-bit FNV-1a hash of an entry's term, kind and data: enough to tell replicas' entries apart. */
export function hashEntry(term: number, kind: string, data: Uint8Array): number {
  let hash = 0x811c9dc5;
  const mix = (byte: number): void => {
    hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  };
  for (let shift = 0; shift < 48; shift += 8) mix(Math.floor(term / 2 ** shift) & 0xff);
  mix(kind === 'normal' ? 1 : 2);
  for (let i = 0; i < data.length; i++) mix(data[i] as number);
  return hash;
}
