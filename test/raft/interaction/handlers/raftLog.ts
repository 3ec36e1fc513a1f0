/** `raft-log <id>`: the node's durable log (its storage after the compaction point), one entry per line. */
import type { TestCommand } from '../../../support/datadriven.js';
import { nodeIdArg } from '../args.js';
import { describeEntries } from '../describe.js';
import type { EnvNode, InteractionEnv } from '../env.js';

export function printRaftLog(env: InteractionEnv, node: EnvNode): void {
  const firstIndex = node.storage.firstIndex();
  const lastIndex = node.storage.lastIndex();
  if (lastIndex < firstIndex) {
    env.output.line(`log is empty: first index=${firstIndex}, last index=${lastIndex}`);
    return;
  }
  env.output.block(describeEntries(node.storage.entries(firstIndex, lastIndex + 1, Number.MAX_SAFE_INTEGER)));
}

export function handleRaftLog(env: InteractionEnv, command: TestCommand): void {
  printRaftLog(env, env.node(nodeIdArg(command, 0)));
}
