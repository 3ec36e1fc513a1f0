/**
 * `propose <id> <data>`: proposes one normal entry on the node. A follower forwards it to its leader; a
 * dropped proposal prints the ProposalDroppedError, as etcd's handler prints the returned error.
 */
import { ProposalDroppedError } from '../../../../src/raft/core/errors.js';
import type { TestCommand } from '../../../support/datadriven.js';
import { nodeIdArg, positionalArg } from '../args.js';
import type { InteractionEnv } from '../env.js';

const encoder = new TextEncoder();

/** Runs a proposal, printing a ProposalDroppedError instead of throwing it. */
export function printDropped(env: InteractionEnv, propose: () => void): void {
  try {
    propose();
  } catch (error) {
    if (!(error instanceof ProposalDroppedError)) throw error;
    env.output.error(`${error.name}: ${error.message}`);
  }
}

export function handlePropose(env: InteractionEnv, command: TestCommand): void {
  const node = env.node(nodeIdArg(command, 0));
  const data = encoder.encode(positionalArg(command, 1, 'data'));
  printDropped(env, () => node.rawNode.propose(data));
}
