/** `report-unreachable <id> <peer>`: tells node `id` that its transport could not reach `peer`. */
import type { TestCommand } from '../../../support/datadriven.js';
import { nodeIdArg } from '../args.js';
import type { InteractionEnv } from '../env.js';

export function handleReportUnreachable(env: InteractionEnv, command: TestCommand): void {
  const node = env.node(nodeIdArg(command, 0));
  node.rawNode.reportUnreachable(nodeIdArg(command, 1));
}
