/** `tick-heartbeat <id>`: ticks the node for one heartbeat interval. */
import type { TestCommand } from '../../../support/datadriven.js';
import { nodeIdArg } from '../args.js';
import type { InteractionEnv } from '../env.js';

export function handleTickHeartbeat(env: InteractionEnv, command: TestCommand): void {
  const node = env.node(nodeIdArg(command, 0));
  for (let tick = 0; tick < node.heartbeatTicks; tick++) node.rawNode.tick();
}
