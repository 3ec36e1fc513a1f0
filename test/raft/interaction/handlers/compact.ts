/**
 * `compact <id> <index>`: the node's application takes a snapshot of its state as of `index` (which it must
 * have applied) into storage, and the storage discards the log up to and including `index` (whose term stays
 * known). Prints the remaining log, as etcd's handler does. A snapshot already at or after `index` is kept;
 * compacting at or below the compaction point prints the CompactedError.
 */
import { CompactedError, SnapshotOutOfDateError } from '../../../../src/raft/core/errors.js';
import type { TestCommand } from '../../../support/datadriven.js';
import { intArg, nodeIdArg } from '../args.js';
import type { EnvNode, InteractionEnv } from '../env.js';
import { snapshotData } from './processReady.js';
import { printRaftLog } from './raftLog.js';

function recordSnapshot(env: InteractionEnv, node: EnvNode, index: number): void {
  const state = node.history.find((candidate) => candidate.index === index);
  if (state === undefined) {
    env.output.error(`node ${node.id} has not applied ${index} (applied ${env.currentState(node).index})`);
    return;
  }
  try {
    const snapshot = node.storage.prepareSnapshot(index, state.confState, snapshotData(state));
    node.storage.recordSnapshot(snapshot);
  } catch (error) {
    if (!(error instanceof SnapshotOutOfDateError)) throw error;
  }
}

export function handleCompact(env: InteractionEnv, command: TestCommand): void {
  const node = env.node(nodeIdArg(command, 0));
  const index = intArg(command, 1, 'compact index');
  recordSnapshot(env, node, index);
  try {
    node.storage.compactNow(index);
  } catch (error) {
    if (!(error instanceof CompactedError)) throw error;
    env.output.error(`${error.name}: ${error.message}`);
    return;
  }
  printRaftLog(env, node);
}
