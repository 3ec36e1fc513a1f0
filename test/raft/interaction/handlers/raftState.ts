/**
 * `raft-state`: one line per node, from that node's own view: role, membership, term, leader, commit, applied
 * and last index.
 */
import type { InteractionEnv } from '../env.js';

export function handleRaftState(env: InteractionEnv): void {
  for (const node of env.nodes) {
    const status = node.rawNode.status();
    const { voters, learners } = status.confState;
    const membership = voters.includes(node.id) ? 'Voter' : learners.includes(node.id) ? 'Learner' : 'Non-Member';
    env.output.line(
      `${node.id}: ${status.softState.role} (${membership}) Term:${status.hardState.term} ` +
        `Lead:${status.softState.leader} Commit:${status.commit} Applied:${status.applied} LastIndex:${status.lastIndex}`
    );
  }
}
