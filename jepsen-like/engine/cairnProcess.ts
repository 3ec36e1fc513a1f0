/**
 * A `cairn dev` node as a real child process (run from source: `node --import tsx test/node/support/cairnEntry.ts`),
 * on fixed loopback ports so that SDK clients and workers reconnect to the same address after a restart. The process
 * can be killed with SIGKILL (no graceful stop: whatever LevelDB has not synced is lost, exactly as on a crash) and
 * started again on the same data dir and ports. Its pino lines are appended to a log file per incarnation.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const entryPath = new URL('../../test/node/support/cairnEntry.ts', import.meta.url).pathname;

/** Where and how the node runs. */
export interface CairnProcessOptions {
  readonly dataDir: string;
  /** Directory for the per-incarnation log files (`node-<n>.log`). */
  readonly logDir: string;
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly shards: number;
  /** How long a start may take before it counts as failed (a hang guard, not a measurement). */
  readonly startTimeoutMs?: number;
}

/** The node did not start, or exited when it should not have. */
export class CairnProcessError extends Error {
  override readonly name = 'CairnProcessError';
}

type LogLine = Record<string, unknown>;

/** Binds port 0 on loopback, reads the port the OS chose, and releases it for the node to bind. */
export async function findFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new CairnProcessError('port 0 bound no TCP port');
  return address.port;
}

/** Every node child still running: killed when this process exits, so that a crashed harness leaves no orphans. */
const liveChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

/** One incarnation of the node process. */
interface Incarnation {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly log: WriteStream;
  stderr: string;
  /** Set when the harness kills or stops it, so that the exit is not reported as unexpected. */
  stopping: boolean;
}

/** A restartable `cairn dev` process. */
export class CairnProcess {
  private current: Incarnation | undefined;
  private incarnations = 0;
  /** Exits the harness did not cause (a crash of the node is a finding, not noise). */
  readonly unexpectedExits: string[] = [];

  constructor(readonly options: CairnProcessOptions) {}

  /** The gRPC address clients and workers use (`127.0.0.1:<grpcPort>`). */
  get address(): string {
    return `127.0.0.1:${this.options.grpcPort}`;
  }

  /** The OS pid of the running node (throws when it is not running). */
  get pid(): number {
    const pid = this.current?.child.pid;
    if (pid === undefined) throw new CairnProcessError('the node is not running');
    return pid;
  }

  /** Starts the node and resolves once it logged 'all shards ready'; returns the milliseconds that took. */
  async start(): Promise<number> {
    if (this.current !== undefined) throw new CairnProcessError('the node is already running: kill it first');
    const startedAtMs = performance.now();
    const { dataDir, logDir, grpcPort, httpPort, shards } = this.options;
    // CAIRN_NODE_FLAGS passes extra Node flags to the node process (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
    const nodeFlags = (process.env['CAIRN_NODE_FLAGS'] ?? '').split(' ').filter((flag) => flag !== '');
    const args = [...nodeFlags, '--import', 'tsx', entryPath, 'dev', '--data-dir', dataDir];
    args.push('--listen', `127.0.0.1:${grpcPort}`, '--http-listen', `127.0.0.1:${httpPort}`, '--shards', `${shards}`);
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    liveChildren.add(child);
    this.incarnations += 1;
    const number = this.incarnations;
    const log = createWriteStream(join(logDir, `node-${number}.log`));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => {
        liveChildren.delete(child);
        resolve({ code, signal });
      })
    );
    const incarnation: Incarnation = { child, exited, log, stderr: '', stopping: false };
    this.current = incarnation;
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      incarnation.stderr = (incarnation.stderr + chunk).slice(-8_000);
      log.write(chunk);
    });
    void exited.then(({ code, signal }) => {
      if (this.current === incarnation && !incarnation.stopping) {
        this.unexpectedExits.push(
          `node incarnation ${number} exited on its own (code ${code}, signal ${signal}); see node-${number}.log`
        );
      }
    });
    await this.waitForReady(incarnation);
    return performance.now() - startedAtMs;
  }

  /** Kills the node with SIGKILL and waits until the process is gone. */
  async kill9(): Promise<void> {
    const incarnation = this.current;
    if (incarnation === undefined) throw new CairnProcessError('the node is not running');
    incarnation.stopping = true;
    incarnation.child.kill('SIGKILL');
    await incarnation.exited;
    incarnation.log.end();
    this.current = undefined;
  }

  /** Stops the node with SIGINT (graceful) if it runs; falls back to SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    const incarnation = this.current;
    if (incarnation === undefined) return;
    incarnation.stopping = true;
    incarnation.child.kill('SIGINT');
    const guard = setTimeout(() => incarnation.child.kill('SIGKILL'), graceMs);
    await incarnation.exited;
    clearTimeout(guard);
    incarnation.log.end();
    this.current = undefined;
  }

  private async waitForReady(incarnation: Incarnation): Promise<void> {
    const timeoutMs = this.options.startTimeoutMs ?? 60_000;
    const { child } = incarnation;
    await new Promise<void>((resolve, reject) => {
      const fail = (why: string): void => {
        clearTimeout(guard);
        reject(new CairnProcessError(`${why}; stderr: ${incarnation.stderr.trim() || '(empty)'}`));
      };
      const guard = setTimeout(() => fail(`the node was not ready ${timeoutMs} ms after its start`), timeoutMs);
      void incarnation.exited.then(({ code, signal }) => fail(`the node exited (code ${code}, signal ${signal})`));
      let pending = '';
      let ready = false;
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        incarnation.log.write(chunk);
        if (ready) return;
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        if (lines.some((text) => parseLogLine(text)?.['msg'] === 'all shards ready')) {
          ready = true;
          clearTimeout(guard);
          resolve();
        }
      });
    }).catch((error: unknown) => {
      incarnation.stopping = true;
      child.kill('SIGKILL');
      this.current = undefined;
      throw error;
    });
  }
}

function parseLogLine(text: string): LogLine | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as LogLine) : undefined;
  } catch (_error) {
    // A line that is not JSON (a stray print) carries no readiness signal.
    return undefined;
  }
}
