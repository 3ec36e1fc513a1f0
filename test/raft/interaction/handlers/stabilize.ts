/**
 * `stabilize [<id>...]`: as etcd-raft's Stabilize, repeats until nothing changes: every listed node (all nodes
 * by default) that has a Ready handles it (`> n handling Ready`), then every listed node with in-flight
 * messages receives them (`> n receiving messages`). Messages to nodes not listed stay in flight.
 */
import type { TestCommand } from '../../../support/datadriven.js';
import { nodeIdArgs } from '../args.js';
import type { InteractionEnv } from '../env.js';
import { InteractionEnvError } from '../env.js';
import { deliverMessages, hasMessagesFor } from './deliverMsgs.js';
import { processReady } from './processReady.js';

/** A bound on rounds: a group that never quiesces is a liveness bug worth failing loudly on. */
const STABILIZE_ROUNDS_MAX = 1000;

export function stabilize(env: InteractionEnv, ids: readonly number[]): void {
  const nodes = ids.length > 0 ? ids.map((id) => env.node(id)) : env.nodes;
  for (let round = 0; round < STABILIZE_ROUNDS_MAX; round++) {
    let done = true;
    for (const node of nodes) {
      if (!node.rawNode.hasReady()) continue;
      done = false;
      env.output.line(`> ${node.id} handling Ready`);
      env.output.withIndent(() => processReady(env, node.id));
    }
    for (const node of nodes) {
      if (!hasMessagesFor(env, node.id)) continue;
      done = false;
      env.output.line(`> ${node.id} receiving messages`);
      env.output.withIndent(() => deliverMessages(env, [{ id: node.id, drop: false }]));
    }
    if (done) return;
  }
  throw new InteractionEnvError(`stabilize did not reach a fixed point within ${STABILIZE_ROUNDS_MAX} rounds`);
}

export function handleStabilize(env: InteractionEnv, command: TestCommand): void {
  stabilize(env, nodeIdArgs(command));
}
