/**
 * `set-randomized-election-timeout <id> timeout=<ticks>`: pins the node's current randomized election timeout
 * (until its next role change redraws it), as etcd's directive of the same name.
 */
import type { TestCommand } from '../../../support/datadriven.js';
import { nodeIdArg, rejectUnknownKeys } from '../args.js';
import type { InteractionEnv } from '../env.js';

export function handleSetRandomizedElectionTimeout(env: InteractionEnv, command: TestCommand): void {
  rejectUnknownKeys(command, ['timeout']);
  const node = env.node(nodeIdArg(command, 0));
  const timeout = command.scanInt('timeout');
  if (timeout < node.electionTicks) command.fail(`timeout ${timeout} is below the election timeout`);
  node.rawNode.raft.randomizedElectionTimeout = timeout;
}
