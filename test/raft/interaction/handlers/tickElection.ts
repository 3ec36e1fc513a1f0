/**
 * `tick-election <id>`: ticks the node for one (unrandomized) election timeout. Whether a follower then
 * campaigns depends on its randomized timeout in [election, 2·election), drawn from its seeded stream; use
 * `set-randomized-election-timeout` to pin it.
 */
import type { TestCommand } from '../../../support/datadriven.js';
import { nodeIdArg } from '../args.js';
import type { InteractionEnv } from '../env.js';

export function handleTickElection(env: InteractionEnv, command: TestCommand): void {
  const node = env.node(nodeIdArg(command, 0));
  for (let tick = 0; tick < node.electionTicks; tick++) node.rawNode.tick();
}
