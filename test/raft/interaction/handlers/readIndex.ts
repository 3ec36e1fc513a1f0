/**
 * `read-index <id> <context>`: requests a linearizable read point on the node (thesis §6.4); the answer comes
 * as a `ReadState` in a later Ready of that node.
 */
import type { TestCommand } from '../../../support/datadriven.js';
import { nodeIdArg, positionalArg } from '../args.js';
import type { InteractionEnv } from '../env.js';

const encoder = new TextEncoder();

export function handleReadIndex(env: InteractionEnv, command: TestCommand): void {
  const node = env.node(nodeIdArg(command, 0));
  node.rawNode.readIndex(encoder.encode(positionalArg(command, 1, 'request context')));
}
