// Goal: `cairn dev` as a real process logs where it listens and where its data is, serves /healthz once its shards
// are ready, and on SIGINT stops gracefully with exit code 0; a second signal during a stop exits at once (130).
// Method: spawn the CLI from source (node --import tsx) on port 0 and a temp dir, read the bound ports from its
// pino log lines on stdout, then send SIGINT and wait for the exit. The only timeout is a guard against a hang.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const entry = new URL('./support/cairnEntry.ts', import.meta.url).pathname;
const signalEntry = new URL('./support/signalEntry.ts', import.meta.url).pathname;
const hangGuardMs = 15_000;
let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cairn-dev-process-'));
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

type LogLine = Record<string, unknown>;

/** Collects the child's stdout as parsed pino lines and resolves `waitFor(msg)` when such a line arrives. */
function logReader(child: ChildProcess): { lines: LogLine[]; waitFor: (msg: string) => Promise<LogLine> } {
  const lines: LogLine[] = [];
  const waiters: Array<{ msg: string; resolve: (line: LogLine) => void }> = [];
  let pending = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const complete = pending.split('\n');
    pending = complete.pop() ?? '';
    for (const text of complete.filter((candidate) => candidate.trim() !== '')) {
      const line = JSON.parse(text) as LogLine;
      lines.push(line);
      for (const waiter of waiters.filter((candidate) => candidate.msg === line['msg'])) waiter.resolve(line);
    }
  });
  const waitFor = (msg: string): Promise<LogLine> => {
    const seen = lines.find((line) => line['msg'] === msg);
    return seen !== undefined ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ msg, resolve }));
  };
  return { lines, waitFor };
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

describe('cairn dev process', () => {
  it(
    'logs its ports and data dir, turns healthy, and exits 0 on SIGINT',
    async () => {
      const args = ['dev', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0'];
      const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args, '--shards', '2'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const exited = exitOf(child);
      const guard = setTimeout(() => child.kill('SIGKILL'), hangGuardMs);
      try {
        const log = logReader(child);
        const listening = await log.waitFor('dev node listening');
        expect(listening).toMatchObject({ dataDir, shards: 2 });
        expect(listening['grpcPort']).toBeGreaterThan(0);
        await log.waitFor('all shards ready');
        const health = await fetch(`http://127.0.0.1:${String(listening['httpPort'])}/healthz`);
        expect(health.status).toBe(200);
        expect(await health.json()).toMatchObject({ status: 'ok', shards: 2, shardsReady: 2, dataDir });

        child.kill('SIGINT');
        expect(await exited, stderr).toEqual({ code: 0, signal: null });
        expect(stderr).toBe('');
        expect(log.lines.map((line) => line['msg'])).toContain('dev node stopped');
      } finally {
        clearTimeout(guard);
        child.kill('SIGKILL');
      }
    },
    hangGuardMs + 5_000
  );

  it(
    'exits at once with 128 + the signal number on a second signal while the graceful stop runs',
    async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', signalEntry], { stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = exitOf(child);
      const guard = setTimeout(() => child.kill('SIGKILL'), hangGuardMs);
      // Registered before any waiter, so that a waiter's check always sees the chunk that triggered it.
      let stdout = '';
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      const seen = (text: string): Promise<void> =>
        new Promise((resolve) => {
          const check = (): void => {
            if (stdout.includes(text)) resolve();
          };
          child.stdout?.on('data', check);
          check();
        });
      try {
        await seen('armed\n');
        child.kill('SIGINT');
        await seen('stopping after SIGINT\n');
        child.kill('SIGTERM');
        expect(await exited, stdout).toEqual({ code: 143, signal: null });
        expect(stdout).toContain('forced SIGTERM\n');
      } finally {
        clearTimeout(guard);
        child.kill('SIGKILL');
      }
    },
    hangGuardMs + 5_000
  );
});
