/**
 * A recording fake of the {@link WorkflowEngine} for handler tests: every method records its arguments and answers
 * with a stub the test can replace (`fake.stub('pollActivityTask', …)`); the defaults answer as an idle engine
 * (empty polls, no cancel requested, runs that exist). Also a FrontendServer wired to it on 127.0.0.1 port 0.
 */
import type { Logger } from 'pino';
import { FrontendServer } from '../../../src/frontend/server.js';
import type { WorkflowEngine } from '../../../src/frontend/engine/workflowEngine.js';
import { workflowServiceName } from '../../../src/frontend/proto/serviceDefinitions.js';
import { serviceClient, type ServiceClient } from '../support/rawClient.js';
import { silentLogger } from '../support/silentLogger.js';

/** One recorded engine call. */
export interface RecordedCall {
  readonly method: keyof WorkflowEngine;
  readonly args: readonly unknown[];
}

const idle: WorkflowEngine = {
  startWorkflow: () => Promise.resolve({ kind: 'started', runId: 'run-new', deduplicated: false }),
  describeWorkflow: () => Promise.reject(new Error('fake engine: describeWorkflow not stubbed')),
  readHistory: () => Promise.reject(new Error('fake engine: readHistory not stubbed')),
  pollWorkflowTask: () => Promise.resolve(null),
  respondToWorkflowTask: () => Promise.reject(new Error('fake engine: respondToWorkflowTask not stubbed')),
  waitForChange: () => Promise.resolve(),
  pollActivityTask: () => Promise.resolve(null),
  respondActivityTask: () => Promise.resolve(false),
  respondActivityTaskById: () => Promise.resolve(false),
  signalWorkflow: () => Promise.resolve(),
  signalWithStart: () => Promise.resolve({ kind: 'started', runId: 'run-sws', deduplicated: false }),
  requestCancelWorkflow: () => Promise.resolve(),
  terminateWorkflow: () => Promise.resolve(),
  queryWorkflow: () => Promise.resolve({ kind: 'answered' }),
  respondQueryTask: () => Promise.resolve(),
  updateWorkflow: () => Promise.reject(new Error('fake engine: updateWorkflow not stubbed')),
  pollWorkflowUpdate: () => Promise.reject(new Error('fake engine: pollWorkflowUpdate not stubbed')),
  resetStickyTaskQueue: () => Promise.resolve(),
  shutdownStickyQueue: () => Promise.resolve(),
  listWorkflowExecutions: () => Promise.resolve({ rows: [], nextPageToken: new Uint8Array(0) }),
  countWorkflowExecutions: () => Promise.resolve(0),
};

/** The fake: the engine to serve, its recorded calls, and the stubs. */
export class FakeEngine {
  readonly calls: RecordedCall[] = [];
  private stubs: Partial<WorkflowEngine> = {};
  readonly engine: WorkflowEngine;

  constructor() {
    const engine: Record<string, unknown> = {};
    for (const method of Object.keys(idle) as (keyof WorkflowEngine)[]) {
      engine[method] = (...args: unknown[]): unknown => {
        this.calls.push({ method, args });
        const implementation = (this.stubs[method] ?? idle[method]) as (...args: unknown[]) => unknown;
        return implementation(...args);
      };
    }
    this.engine = engine as unknown as WorkflowEngine;
  }

  /** Replaces `method`'s answer until {@link reset}. */
  stub<K extends keyof WorkflowEngine>(method: K, implementation: WorkflowEngine[K]): void {
    this.stubs = { ...this.stubs, [method]: implementation };
  }

  /** Forgets the recorded calls and the stubs. */
  reset(): void {
    this.calls.length = 0;
    this.stubs = {};
  }

  /** The arguments of the only call of `method`; fails unless there was exactly one. */
  onlyCall(method: keyof WorkflowEngine): readonly unknown[] {
    const calls = this.calls.filter((call) => call.method === method);
    if (calls.length !== 1) throw new Error(`expected one ${method} call, got ${calls.length}`);
    return calls[0]!.args;
  }
}

/** A FrontendServer serving `fake` (logging to `logger`, silent by default) and a WorkflowService client of it. */
export async function serveFake(
  fake: FakeEngine,
  logger: Logger = silentLogger()
): Promise<{ client: ServiceClient; port: number; close: () => Promise<void> }> {
  const server = new FrontendServer({ logger, engine: fake.engine });
  const port = await server.start('127.0.0.1', 0);
  const client = serviceClient(port, workflowServiceName);
  return {
    client,
    port,
    close: async () => {
      client.close();
      await server.stop();
    },
  };
}
