/**
 * What machine and code a benchmark ran on, printed in its header and stored with its results, so that
 * figures are never compared across machines or commits by accident.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface MachineInfo {
  readonly os: string;
  readonly cpuModel: string;
  readonly cpuCores: number;
  readonly memoryTotalGiB: number;
  readonly nodeVersion: string;
  /** `git rev-parse --short HEAD`, or null outside a git checkout. */
  readonly commit: string | null;
  /** Whether the working tree had uncommitted changes (null when unknown). */
  readonly treeDirty: boolean | null;
  /** 1-minute load average when the run started: other processes competing for the cores skew every figure. */
  readonly loadAverage1m: number;
}

/** Runs a read-only git command; null if git or the repository is unavailable. */
function gitOutput(args: readonly string[]): string | null {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch (_error) {
    // Not a checkout, or git is not installed: the commit is simply unknown.
    return null;
  }
}

/** Collects the machine description (cheap: a few syscalls and two git invocations). */
export function collectMachineInfo(): MachineInfo {
  const cpus = os.cpus();
  const status = gitOutput(['status', '--porcelain', '--untracked-files=no']);
  return {
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpuCores: cpus.length,
    memoryTotalGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    nodeVersion: process.version,
    commit: gitOutput(['rev-parse', '--short', 'HEAD']),
    treeDirty: status === null ? null : status.length > 0,
    loadAverage1m: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** One line per fact, for the report header. */
export function formatMachineInfo(info: MachineInfo): string[] {
  const dirty = info.treeDirty === true ? ' (+ uncommitted changes)' : '';
  return [
    `machine: ${info.os}, ${info.cpuModel}, ${info.cpuCores} cores, ${info.memoryTotalGiB} GiB, ` +
      `load average ${info.loadAverage1m} at start`,
    `node ${info.nodeVersion}, commit ${info.commit ?? 'unknown'}${dirty}`,
  ];
}
