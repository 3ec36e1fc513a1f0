/**
 * Harness of the conformance scenarios (TEMPORAL-API.md §13). One DevNode per test file; `runScenario` registers a
 * scenario once per mode — sticky cache on, and `maxCachedWorkflows: 0` — each with its own Worker on its own task
 * queue. After the body returns, every workflow the scenario touched (and every run of its continue-as-new chain)
 * is fetched and replayed with the same workflow bundle: a determinism error fails the scenario.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { WorkflowHandleWithFirstExecutionRunId, WorkflowStartOptions } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import type { WorkflowBundle } from '@temporalio/worker';
import { afterAll, beforeAll, it } from 'vitest';
import type { DevNode } from '../../../../src/node/devNode.js';
import { installSilentSdkRuntime, startConformanceNode } from '../../support/conformanceNode.js';
import * as scenarioActivities from '../activities/index.js';
import { eventNames, eventsIn, type History } from './historyEvents.js';

/** The two worker modes of §13. */
export type ScenarioMode = 'sticky' | 'noCache';

/** Both modes, in the order they run. */
export const bothModes: readonly ScenarioMode[] = ['sticky', 'noCache'];

const require = createRequire(import.meta.url);
const workflowsPath = require.resolve('../workflows/index.ts');
const defaultDeadlineMs = 15_000;
const pollIntervalMs = 50;

/** What one test file shares: the node, a client, a worker connection and the workflow bundle. */
interface ScenarioNode {
  dataDir: string;
  node: DevNode;
  connection: Connection;
  client: Client;
  workerConnection: NativeConnection;
  workflowBundle: WorkflowBundle;
}

let shared: ScenarioNode | undefined;

/** Registers the file's DevNode (started before the first scenario, closed after the last). */
export function useScenarioNode(label: string): void {
  beforeAll(async () => {
    installSilentSdkRuntime();
    const dataDir = await mkdtemp(join(tmpdir(), `cairn-scenarios-${label}-`));
    const node = await startConformanceNode(dataDir);
    const address = `127.0.0.1:${node.grpcPort}`;
    const connection = await Connection.connect({ address });
    const client = new Client({ connection, namespace: 'default' });
    const workerConnection = await NativeConnection.connect({ address });
    const workflowBundle = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('ERROR') });
    shared = { dataDir, node, connection, client, workerConnection, workflowBundle };
  }, 120_000);
  afterAll(async () => {
    const current = shared;
    shared = undefined;
    if (current === undefined) return;
    await current.workerConnection.close();
    await current.connection.close();
    await current.node.close();
    await rm(current.dataDir, { recursive: true, force: true });
  });
}

function sharedNode(): ScenarioNode {
  if (shared === undefined) throw new Error('useScenarioNode(label) must be called at the top of the test file');
  return shared;
}

/** A workflow the scenario touched: replayed after the body (runId undefined = the latest run). */
interface TrackedWorkflow {
  workflowId: string;
  runId: string | undefined;
}

/** What a scenario body gets: a client, its own task queue, id minting, tracking and history helpers. */
export class ScenarioContext {
  private readonly tracked: TrackedWorkflow[] = [];

  constructor(
    readonly client: Client,
    readonly connection: Connection,
    readonly scenarioName: string,
    readonly mode: ScenarioMode,
    readonly taskQueue: string,
    private readonly workerConnection: NativeConnection,
    private readonly workflowBundle: WorkflowBundle
  ) {}

  /** A Worker of this scenario's mode on `taskQueue` (the harness's own worker, or one a scenario manages). */
  async newWorker(taskQueue: string): Promise<Worker> {
    return await Worker.create({
      connection: this.workerConnection,
      namespace: 'default',
      taskQueue,
      workflowBundle: this.workflowBundle,
      activities: scenarioActivities,
      shutdownGraceTime: '1s',
      ...(this.mode === 'noCache' ? { maxCachedWorkflows: 0 } : {}),
    });
  }

  /** A workflow id unique to this scenario and mode. */
  id(suffix = 'wf'): string {
    return `${this.scenarioName}-${this.mode}-${suffix}`;
  }

  /** Remembers a workflow to replay after the body. */
  track(workflowId: string, runId?: string): void {
    this.tracked.push({ workflowId, runId });
  }

  /** Starts `workflowType` on the scenario's task queue with id `id(suffix)` and tracks it. */
  async start(
    workflowType: string,
    args: unknown[],
    options: Partial<WorkflowStartOptions> & { idSuffix?: string } = {}
  ): Promise<WorkflowHandleWithFirstExecutionRunId> {
    const { idSuffix, ...startOptions } = options;
    const handle = await this.client.workflow.start(workflowType, {
      taskQueue: this.taskQueue,
      workflowId: this.id(idSuffix),
      ...startOptions,
      args,
    });
    this.track(handle.workflowId, handle.firstExecutionRunId);
    return handle;
  }

  /** Starts `workflowType` like `start` and returns its result. */
  async execute(
    workflowType: string,
    args: unknown[],
    options: Partial<WorkflowStartOptions> & { idSuffix?: string } = {}
  ): Promise<unknown> {
    const handle = await this.start(workflowType, args, options);
    return (await handle.result()) as unknown;
  }

  /** The full history of a run (the latest run when `runId` is omitted). */
  async history(workflowId: string, runId?: string): Promise<History> {
    return await this.client.workflow.getHandle(workflowId, runId).fetchHistory();
  }

  /**
   * Polls the history until `done(history)` holds and returns that history. The wait is a hang guard, never a
   * pass/fail criterion of its own: the error says what was awaited and what the history held.
   */
  async waitForHistory(
    workflowId: string,
    what: string,
    done: (history: History) => boolean,
    timeoutMs = 20_000
  ): Promise<History> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const history = await this.history(workflowId);
      if (done(history)) return history;
      if (Date.now() > deadline) {
        throw new Error(`waited ${timeoutMs} ms for ${what} of ${workflowId}; history: ${eventNames(history)}`);
      }
      await delay(pollIntervalMs);
    }
  }

  /** Polls `probe` until it returns a value other than undefined (a hang guard like waitForHistory). */
  async waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
      await delay(pollIntervalMs);
    }
  }

  /** One line per tracked workflow with its latest run's event names (the diagnosis of a hung scenario). */
  async trackedShapes(): Promise<string> {
    const lines: string[] = [];
    for (const { workflowId, runId } of this.tracked) {
      const shape = await this.history(workflowId, runId).then(
        (history) => eventNames(history).join(', '),
        (error: unknown) => `history unavailable: ${String(error)}`
      );
      lines.push(`  ${workflowId}: ${shape}`);
    }
    return lines.join('\n');
  }

  /** Replays every tracked run (following continue-as-new chains); throws listing every replay failure. */
  async replayTracked(): Promise<number> {
    const histories: { workflowId: string; history: History }[] = [];
    for (const { workflowId, runId } of this.tracked) {
      let nextRunId: string | undefined = runId;
      for (let hops = 0; hops < 20; hops++) {
        const history = await this.history(workflowId, nextRunId);
        histories.push({ workflowId, history });
        const last = eventsIn(history).at(-1);
        nextRunId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
        if (nextRunId === undefined || nextRunId === '') break;
      }
    }
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: this.workflowBundle }, histories)) {
      if (result.error !== undefined) {
        failures.push(`${result.workflowId}/${result.runId}: ${String(result.error)}`);
      }
    }
    if (failures.length > 0) throw new Error(`replay failed:\n${failures.join('\n')}`);
    return histories.length;
  }
}

/** Options of `runScenario`. */
export interface ScenarioOptions {
  /** Modes to run (both by default, as §13 requires). */
  modes?: readonly ScenarioMode[];
  /** Hang guard for the body (default 15 s); the test fails with a message naming the scenario. */
  deadlineMs?: number;
}

/**
 * Registers `name` once per mode: a fresh Worker on task queue `<name>-<mode>` runs until `body` settles, then every
 * tracked run is replayed with the same bundle.
 */
export function runScenario(
  name: string,
  body: (context: ScenarioContext) => Promise<void>,
  options: ScenarioOptions = {}
): void {
  const deadlineMs = options.deadlineMs ?? defaultDeadlineMs;
  for (const mode of options.modes ?? bothModes) {
    it(
      `${name} [${mode}]`,
      async () => {
        const { client, connection, workerConnection, workflowBundle } = sharedNode();
        const taskQueue = `${name}-${mode}`;
        const context = new ScenarioContext(
          client,
          connection,
          name,
          mode,
          taskQueue,
          workerConnection,
          workflowBundle
        );
        const worker = await context.newWorker(taskQueue);
        try {
          await worker.runUntil(withDeadline(body(context), deadlineMs, `${name} [${mode}]`));
        } catch (error) {
          if (!(error instanceof ScenarioDeadlineError)) throw error;
          throw new ScenarioDeadlineError(`${error.message}; tracked histories:\n${await context.trackedShapes()}`);
        }
        await context.replayTracked();
      },
      deadlineMs + 60_000
    );
  }
}

/** The body of a scenario outlived its hang guard. */
class ScenarioDeadlineError extends Error {
  override readonly name = 'ScenarioDeadlineError';
}

async function withDeadline<T>(promise: Promise<T>, deadlineMs: number, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    const message = `${label} did not finish within ${deadlineMs} ms`;
    timer = setTimeout(() => reject(new ScenarioDeadlineError(message)), deadlineMs);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves after `ms` (polling pace of the wait helpers). */
export async function delay(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}
