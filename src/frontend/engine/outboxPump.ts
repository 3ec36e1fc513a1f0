/**
 * The cross-run outbox on the host (ARCHITECTURE.md §5 "Cross-shard work", TEMPORAL-API.md §5.10): after every
 * commit (and for every active run when a shard's gate opens) the run's deliveries are derived from its state
 * (`outboxOf`), and each one not already in flight is performed against its target, idempotently (the target
 * deduplicates by the item's `dedupKey`), then recorded on the source by its result transition. An item is done
 * when the source's state no longer implies it; a failed attempt is retried with backoff from the stored state.
 */
import type { Logger } from 'pino';
import { childStartInput, childStartRequest } from '../../actors/children/childCommands.js';
import {
  ChildResultNotReadyError,
  childClosed,
  childStartFailed,
  childStarted,
  parentNotified,
  policyApplied,
} from '../../actors/children/childTransitions.js';
import { externalDelivered, externalFailed } from '../../actors/children/externalTransitions.js';
import { outboxOf, PARENT_CLOSE_POLICY_REASON, type OutboxItem } from '../../actors/children/outbox.js';
import type { MutableState } from '../../actors/mutableState/mutableState.js';
import type { RunRef } from '../../actors/runStore/runKeys.js';
import type { StartRequest } from '../../actors/start/startRequest.js';
import { serverIdentity } from '../../actors/workflowTask/terminateWorkflow.js';
import { NotFoundError } from '../errors.js';
import type { EngineContext } from './engineContext.js';
import { commitRunTransition, type RunTransition } from './runCommitter.js';
import type { WorkflowEngine } from './workflowEngine.js';

/** What the pump asks of the engine for the target side of a delivery. */
export type OutboxTargets = Pick<
  WorkflowEngine,
  'startWorkflow' | 'signalWorkflow' | 'requestCancelWorkflow' | 'terminateWorkflow'
>;

/** First and largest delay before retrying a failed delivery. */
const RETRY_DELAY_MS_MIN = 200;
const RETRY_DELAY_MS_MAX = 10_000;

/** Performs the deliveries of this node's active runs. */
export class OutboxPump {
  private readonly inFlight = new Set<string>();
  private readonly failures = new Map<string, number>();
  private closed = false;

  constructor(
    private readonly context: EngineContext,
    private readonly targets: OutboxTargets,
    private readonly resync: (run: RunRef) => void,
    private readonly logger: Logger
  ) {}

  /** Starts every delivery `state` implies that is not in flight. */
  onState(state: MutableState): void {
    if (this.closed) return;
    const info = state.executionInfo;
    const source: RunRef = { namespace: info.namespace, workflowId: info.workflowId, runId: info.runId };
    for (const item of outboxOf(state)) {
      if (this.inFlight.has(item.dedupKey)) continue;
      this.inFlight.add(item.dedupKey);
      void this.deliver(source, state, item);
    }
  }

  /** Stops retrying (the node is shutting down). */
  close(): void {
    this.closed = true;
  }

  private async deliver(source: RunRef, state: MutableState, item: OutboxItem): Promise<void> {
    try {
      await this.perform(source, state, item);
      this.failures.delete(item.dedupKey);
      this.inFlight.delete(item.dedupKey);
    } catch (error) {
      this.inFlight.delete(item.dedupKey);
      const failures = (this.failures.get(item.dedupKey) ?? 0) + 1;
      this.failures.set(item.dedupKey, failures);
      const delayMs = Math.min(RETRY_DELAY_MS_MAX, RETRY_DELAY_MS_MIN * 2 ** Math.min(failures - 1, 10));
      if (!(error instanceof ChildResultNotReadyError)) {
        this.logger.warn({ source, item: item.kind, dedupKey: item.dedupKey, failures, err: error }, 'outbox retry');
      }
      if (!this.closed) setTimeout(() => this.resync(source), delayMs).unref();
    }
  }

  private commit(run: RunRef, transition: RunTransition): Promise<unknown> {
    return commitRunTransition(this.context, run, transition);
  }

  private async perform(source: RunRef, state: MutableState, item: OutboxItem): Promise<void> {
    switch (item.kind) {
      case 'startChild': {
        const lineage = childStartInput(state, item.child, { runId: '', startTimeMs: 0 }).lineage;
        const request: StartRequest = {
          ...childStartRequest(state, item.child),
          ...(lineage === undefined ? {} : { lineage }),
        };
        const started = await this.targets.startWorkflow(request);
        const initiatedEventId = item.child.initiatedEventId;
        await this.commit(source, (current, context) =>
          started.kind === 'started'
            ? childStarted(current, { initiatedEventId, runId: started.runId }, context)
            : childStartFailed(
                current,
                { initiatedEventId, cause: 'START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_WORKFLOW_ALREADY_EXISTS' },
                context
              )
        );
        return;
      }
      case 'signalExternal':
      case 'cancelExternal': {
        const initiatedEventId = item.request.initiatedEventId;
        const delivered = await this.deliverExternal(source, item);
        await this.commit(source, (current, context) =>
          delivered
            ? externalDelivered(current, { initiatedEventId }, context)
            : externalFailed(
                current,
                {
                  initiatedEventId,
                  cause: 'SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND',
                },
                context
              )
        );
        return;
      }
      case 'notifyParent': {
        const parent = {
          namespace: item.parent.namespace,
          workflowId: item.parent.workflowId,
          runId: item.parent.runId,
        };
        await this.commit(parent, (current, context) => childClosed(current, item.report, context));
        await this.commit(source, (current, context) => parentNotified(current, context));
        return;
      }
      case 'terminateChild':
      case 'cancelChild': {
        await ignoreNotFound(() =>
          item.kind === 'terminateChild'
            ? this.targets.terminateWorkflow(item.target, {
                identity: serverIdentity,
                reason: PARENT_CLOSE_POLICY_REASON,
              })
            : this.targets.requestCancelWorkflow(item.target, {
                identity: serverIdentity,
                reason: PARENT_CLOSE_POLICY_REASON,
                requestId: item.dedupKey,
              })
        );
        await this.commit(source, (current, context) => policyApplied(current, item.initiatedEventId, context));
        return;
      }
    }
  }

  /** Signals or cancels the target; false when it does not exist or is closed. */
  private async deliverExternal(
    source: RunRef,
    item: Extract<OutboxItem, { kind: 'signalExternal' | 'cancelExternal' }>
  ): Promise<boolean> {
    const request = item.request.request;
    const text = (field: string): string => (typeof request[field] === 'string' ? (request[field] as string) : '');
    const payload = (field: string): Record<string, unknown> | undefined =>
      typeof request[field] === 'object' && request[field] !== null
        ? (request[field] as Record<string, unknown>)
        : undefined;
    try {
      if (item.kind === 'signalExternal') {
        const input = payload('input');
        const header = payload('header');
        await this.targets.signalWorkflow(item.target, {
          signalName: text('signalName'),
          identity: serverIdentity,
          requestId: item.dedupKey,
          ...(input === undefined ? {} : { input }),
          ...(header === undefined ? {} : { header }),
        });
      } else {
        await this.targets.requestCancelWorkflow(item.target, {
          identity: serverIdentity,
          reason: text('reason'),
          requestId: item.dedupKey,
          external: {
            workflowId: source.workflowId,
            runId: source.runId,
            initiatedEventId: item.request.initiatedEventId,
          },
        });
      }
      return true;
    } catch (error) {
      if (error instanceof NotFoundError) return false;
      throw error;
    }
  }
}

async function ignoreNotFound(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
}
