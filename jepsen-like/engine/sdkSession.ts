/**
 * The SDK side of an engine scenario: one Client (grpc-js, reconnects by itself) and one Worker in the harness
 * process, both pointed at the node's fixed address so they outlive a restart of the node. The Worker runs in the
 * background until `close()`; if it dies on its own, that is recorded as a finding.
 */
import { createRequire } from 'node:module';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import type { LogLevel, WorkflowBundle } from '@temporalio/worker';
import { createRecordingActivities } from './activities.js';
import type { ActivityExecution } from './activities.js';

const require = createRequire(import.meta.url);
const workflowsPath = require.resolve('./workflows.ts');
const namespace = 'default';

let runtimeInstalled = false;
/** How often each warning or error message of the SDK (TS side and core, forwarded) was logged. */
const sdkProblemCounts = new Map<string, number>();

/**
 * Installs the SDK runtime once per process with core logs forwarded to a logger that only counts warnings and
 * errors by message: a restart makes the worker log retries and stale completions, which the report summarizes.
 */
function installCountingRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const drop = (): undefined => undefined;
  const count = (message: string): void => void sdkProblemCounts.set(message, (sdkProblemCounts.get(message) ?? 0) + 1);
  // Forwarded core logs arrive through log(level, …), the SDK's own through the per-level methods.
  const log = (level: LogLevel, message: string): void => {
    if (level === 'WARN' || level === 'ERROR') count(message);
  };
  Runtime.install({
    logger: { log, trace: drop, debug: drop, info: drop, warn: count, error: count },
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
  });
}

/** A copy of the SDK's warning and error counts by message, since the runtime was installed. */
export function sdkProblemCountsNow(): Map<string, number> {
  return new Map(sdkProblemCounts);
}

/** The counts of `after` minus those of `before`, as a plain object (messages logged in between). */
export function sdkProblemsBetween(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>) {
  const delta: Record<string, number> = {};
  for (const [message, total] of after) {
    const added = total - (before.get(message) ?? 0);
    if (added > 0) delta[message] = added;
  }
  return delta;
}

/** Bundles workflows.ts with the SDK's webpack (a few seconds; do it once per process). */
export async function bundleEngineWorkflows(): Promise<WorkflowBundle> {
  return await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('ERROR') });
}

/** What {@link openEngineSdk} needs. */
export interface EngineSdkOptions {
  readonly address: string;
  readonly taskQueue: string;
  readonly workflowBundle: WorkflowBundle;
  /** Every activity execution is appended here. */
  readonly executions: ActivityExecution[];
}

/** A connected client and a running worker. */
export interface EngineSdk {
  readonly client: Client;
  /** Set when the worker stopped without being asked to. */
  workerFailure(): string | undefined;
  /** Stops the worker (graceful) and closes both connections. */
  close(): Promise<void>;
}

/** Connects a client and starts a worker on `taskQueue` (the node must be up). */
export async function openEngineSdk(options: EngineSdkOptions): Promise<EngineSdk> {
  installCountingRuntime();
  const connection = await Connection.connect({ address: options.address });
  const client = new Client({ connection, namespace });
  const workerConnection = await NativeConnection.connect({ address: options.address });
  const worker = await Worker.create({
    connection: workerConnection,
    namespace,
    taskQueue: options.taskQueue,
    workflowBundle: options.workflowBundle,
    activities: createRecordingActivities(options.executions),
    shutdownGraceTime: '2s',
  });
  let closing = false;
  let failure: string | undefined;
  const running = worker.run().then(
    () => {
      if (!closing) failure = 'the worker stopped on its own';
    },
    (error: unknown) => {
      failure = `the worker failed: ${String(error)}`;
    }
  );
  return {
    client,
    workerFailure: () => failure,
    close: async () => {
      closing = true;
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await workerConnection.close();
      await connection.close();
    },
  };
}
