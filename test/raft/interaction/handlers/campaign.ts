/** `campaign <id>`: the node starts an election now (a pre-election first when PreVote is on). */
import type { TestCommand } from '../../../support/datadriven.js';
import { nodeIdArg } from '../args.js';
import type { InteractionEnv } from '../env.js';

export function handleCampaign(env: InteractionEnv, command: TestCommand): void {
  env.node(nodeIdArg(command, 0)).rawNode.campaign();
}
