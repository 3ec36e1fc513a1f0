/**
 * The liveness phase's driver and judge (TESTING.md §3, invariant 17 and 2): after every fault is healed, each
 * group must commit a fresh proposal (a probe entry, proposed through its leader and re-proposed if lost) and
 * every member must converge: the leader's log fully committed, every voter and learner up and applied to
 * that commit index, and every member's state digest equal.
 */
import type { SimCluster } from './simCluster.js';

interface Probe {
  readonly probeId: number;
  readonly proposedTicks: number;
}

export class LivenessDriver {
  private probeIdNext = 1;
  private readonly probes = new Map<number, Probe>();

  constructor(private readonly cluster: SimCluster) {}

  /** Each tick: (re)propose a probe in every group whose probe has not been applied by its leader. */
  onTick(): void {
    const now = this.cluster.queue.nowTicks;
    const retryTicks = 2 * this.cluster.options.raft.electionTicks;
    for (let groupId = 0; groupId < this.cluster.options.groupCount; groupId++) {
      const probe = this.probes.get(groupId);
      if (probe !== undefined && (this.probeApplied(groupId, probe) || now - probe.proposedTicks < retryTicks))
        continue;
      const leader = this.cluster.leaderOf(groupId);
      if (leader === null) continue;
      const probeId = this.probeIdNext++;
      if (leader.proposeProbe(groupId, probeId)) this.probes.set(groupId, { probeId, proposedTicks: now });
    }
  }

  private probeApplied(groupId: number, probe: Probe): boolean {
    return (this.cluster.probesApplied.get(`${groupId}/${probe.probeId}`)?.size ?? 0) > 0;
  }

  /** True when every group has converged. Reports a digest mismatch at equal applied indexes at once. */
  converged(): boolean {
    for (let groupId = 0; groupId < this.cluster.options.groupCount; groupId++) {
      if (this.groupState(groupId) !== 'converged') return false;
    }
    return true;
  }

  /** Why a group has not converged, or 'converged'. */
  groupState(groupId: number): string {
    const leader = this.cluster.leaderOf(groupId);
    const leaderReplica = leader?.replicas.get(groupId);
    if (leader === null || leaderReplica === undefined) return 'no leader';
    const probe = this.probes.get(groupId);
    if (probe === undefined || !this.probeApplied(groupId, probe)) return `probe not applied (leader n${leader.id})`;
    const raft = leaderReplica.rawNode.raft;
    const commit = raft.raftLog.committed;
    if (commit !== raft.raftLog.lastIndex())
      return `leader n${leader.id} commit ${commit} < last ${raft.raftLog.lastIndex()}`;
    if (leaderReplica.applied !== commit) return `leader n${leader.id} applied ${leaderReplica.applied} of ${commit}`;
    const { voters, learners } = raft.tracker.confState();
    const digest = leaderReplica.kv.digest();
    for (const memberId of [...voters, ...learners]) {
      const member = this.cluster.nodes.get(memberId);
      const replica = member?.replicas.get(groupId);
      if (member === undefined || member.status !== 'up' || replica === undefined) return `member n${memberId} not up`;
      if (replica.applied !== commit) return `member n${memberId} applied ${replica.applied} of ${commit}`;
      if (replica.kv.digest() !== digest) {
        this.cluster.violations.report(
          'replicaConvergence',
          `g${groupId}: n${memberId} and leader n${leader.id} both applied ${commit} but state digests differ: ` +
            `${new TextDecoder().decode(replica.kv.serialize())} vs ${new TextDecoder().decode(leaderReplica.kv.serialize())}`
        );
        return 'diverged';
      }
    }
    return 'converged';
  }

  describe(): string {
    const states: string[] = [];
    for (let groupId = 0; groupId < this.cluster.options.groupCount; groupId++) {
      states.push(`g${groupId}: ${this.groupState(groupId)}`);
    }
    return states.join('; ');
  }
}
