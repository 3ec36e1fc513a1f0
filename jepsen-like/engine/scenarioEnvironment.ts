/**
 * The setup every engine scenario and the latency bench share: a temp work dir, a `cairn dev` process on two fixed
 * free ports, the bundled workflows, and a client plus a worker in this process. Torn down in reverse order; the
 * work dir (data and node logs) is kept when asked, or when the body failed, so that a finding can be examined.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowBundle } from '@temporalio/worker';
import type { ActivityExecution } from './activities.js';
import { CairnProcess, findFreePort } from './cairnProcess.js';
import { bundleEngineWorkflows, openEngineSdk, sdkProblemCountsNow, sdkProblemsBetween } from './sdkSession.js';
import type { EngineSdk } from './sdkSession.js';

/** Options of {@link withScenarioEnvironment}. */
export interface EnvironmentOptions {
  /** Prefix of the temp dir (`cairn-<label>-`) and of the task queue. */
  readonly label: string;
  readonly shards: number;
  /** Keep the work dir even after a clean run. */
  readonly keepWorkDir?: boolean;
  /** A bundle made earlier (bundling takes seconds); bundled here when absent. */
  readonly workflowBundle?: WorkflowBundle;
}

/** What a scenario body works with. */
export interface ScenarioEnvironment {
  readonly workDir: string;
  readonly node: CairnProcess;
  readonly sdk: EngineSdk;
  readonly taskQueue: string;
  /** Every activity execution of the worker, in order. */
  readonly executions: ActivityExecution[];
  /** How long the first start of the node took (spawn to 'all shards ready'). */
  readonly firstStartMs: number;
  /** Keeps the work dir after the run (call it when the run found a violation). */
  keepWorkDir(): void;
  /** The SDK's warnings and errors logged since the session opened, counted by message. */
  sdkWarnings(): Record<string, number>;
}

/** Runs `body` against a fresh node and SDK session, then tears everything down. */
export async function withScenarioEnvironment<T>(
  options: EnvironmentOptions,
  body: (environment: ScenarioEnvironment) => Promise<T>
): Promise<T> {
  const workDir = await mkdtemp(join(tmpdir(), `cairn-${options.label}-`));
  const dataDir = join(workDir, 'data');
  await mkdir(dataDir);
  const grpcPort = await findFreePort();
  let httpPort = await findFreePort();
  while (httpPort === grpcPort) httpPort = await findFreePort();
  const node = new CairnProcess({ dataDir, logDir: workDir, grpcPort, httpPort, shards: options.shards });
  let succeeded = false;
  let keep = options.keepWorkDir === true;
  try {
    const firstStartMs = await node.start();
    const workflowBundle = options.workflowBundle ?? (await bundleEngineWorkflows());
    const executions: ActivityExecution[] = [];
    const taskQueue = `${options.label}-tq`;
    const sdkProblemsAtOpen = sdkProblemCountsNow();
    const sdk = await openEngineSdk({ address: node.address, taskQueue, workflowBundle, executions });
    const sdkWarnings = (): Record<string, number> => sdkProblemsBetween(sdkProblemsAtOpen, sdkProblemCountsNow());
    try {
      const keepWorkDir = (): void => void (keep = true);
      const result = await body({ workDir, node, sdk, taskQueue, executions, firstStartMs, keepWorkDir, sdkWarnings });
      succeeded = true;
      return result;
    } finally {
      await sdk.close();
    }
  } finally {
    await node.stop();
    if (succeeded && !keep) await rm(workDir, { recursive: true, force: true });
    else process.stderr.write(`work dir kept: ${workDir}\n`);
  }
}
