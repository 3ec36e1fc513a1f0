/**
 * `status <id>`: the leader's progress of every member, ascending, as etcd's tracker prints it:
 * `2: replicate match=11 next=15 paused inflight=3[full]`. A node that is not leader has no progress.
 */
import type { TestCommand } from '../../../support/datadriven.js';
import { nodeIdArg } from '../args.js';
import type { InteractionEnv } from '../env.js';

export function handleStatus(env: InteractionEnv, command: TestCommand): void {
  const node = env.node(nodeIdArg(command, 0));
  const raft = node.rawNode.raft;
  if (node.rawNode.status().progress === null) {
    env.output.line(`${node.id} is ${raft.role}: no progress`);
    return;
  }
  raft.tracker.visit((id, progress) => {
    let line = `${id}: ${progress.state} match=${progress.match} next=${progress.next}`;
    if (progress.isLearner) line += ' learner';
    if (progress.isPaused()) line += ' paused';
    if (progress.pendingSnapshot > 0) line += ` pendingSnap=${progress.pendingSnapshot}`;
    if (!progress.recentActive) line += ' inactive';
    const inflight = progress.inflights.size();
    if (inflight > 0) line += ` inflight=${inflight}${progress.inflights.full() ? '[full]' : ''}`;
    env.output.line(line);
  });
}
