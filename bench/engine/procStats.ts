/**
 * CPU time and memory of another process from Linux's /proc: utime + stime (in clock ticks) from
 * /proc/<pid>/stat, VmRSS and VmHWM from /proc/<pid>/status. Used to measure the `cairn dev` child, whose CPU
 * `process.cpuUsage()` in the harness cannot see.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of utime/stime (`getconf CLK_TCK`; 100 on every Linux this runs on when getconf is absent). */
export function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch (_error) {
    // No getconf: Linux's USER_HZ is 100 on all mainstream architectures.
    return 100;
  }
}

/** A process's CPU seconds (user + system) so far. */
export function processCpuSeconds(pid: number, ticksPerSecond: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Field 2 (comm) is parenthesized and may contain spaces: split after its closing parenthesis.
  const afterComm = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // afterComm[0] is field 3 (state); utime and stime are fields 14 and 15.
  const utimeTicks = Number(afterComm[11]);
  const stimeTicks = Number(afterComm[12]);
  return (utimeTicks + stimeTicks) / ticksPerSecond;
}

/** Resident set size now and at its peak, in MiB. */
export function processMemoryMiB(pid: number): { rssMiB: number; peakRssMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMiB: kib('VmRSS') / 1024, peakRssMiB: kib('VmHWM') / 1024 };
}
