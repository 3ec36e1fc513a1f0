/**
 * The fault scheduler of the safety phase: every tick it may crash, restart, pause or unpause a node, start
 * or heal a partition, change a group's membership or transfer its leadership, all drawn from the seed's
 * fault stream with the run's probabilities and stability times.
 */
import { ProposalDroppedError } from '../../src/raft/core/errors.js';
import type { ConfChange } from '../../src/raft/core/types.js';
import type { SimRandom } from './prng.js';
import type { SimCluster } from './simCluster.js';
import type { SimNode } from './simNode.js';

/** Voters plus learners a group may grow to by membership changes. */
const GROUP_MEMBERS_MAX = 5;

export class FaultScheduler {
  enabled = true;
  crashes = 0;
  restarts = 0;
  pauses = 0;
  confChangesProposed = 0;
  leaderTransfers = 0;

  constructor(
    private readonly cluster: SimCluster,
    private readonly random: SimRandom
  ) {}

  onTick(): void {
    if (!this.enabled) return;
    const faults = this.cluster.options.faults;
    const now = this.cluster.queue.nowTicks;
    const nodes = this.cluster.sortedNodes();
    this.cluster.network.maybeChangePartition(
      nodes.map((node) => node.id),
      now
    );
    if (this.random.chance(faults.crashProbability)) {
      const candidates = nodes.filter(
        (node) => node.status === 'up' && now - node.upSinceTicks >= faults.crashStabilityTicks
      );
      if (candidates.length > 0) this.crash(this.random.pick(candidates));
    }
    if (this.random.chance(faults.pauseProbability)) {
      const candidates = nodes.filter((node) => node.status === 'up');
      if (candidates.length > 0) this.pause(this.random.pick(candidates));
    }
    if (this.random.chance(faults.membershipProbability)) {
      this.changeMembership(this.random.intInclusive(0, this.cluster.options.groupCount - 1));
    }
    if (this.random.chance(faults.leaderTransferProbability)) {
      this.transferLeader(this.random.intInclusive(0, this.cluster.options.groupCount - 1));
    }
  }

  /** Crashes a node (losing unsynced writes) and, unless told not to, schedules its restart. */
  crash(node: SimNode, scheduleRestart = true): { lost: number; kept: number } {
    const faults = this.cluster.options.faults;
    const { lost, kept } = node.crash(this.cluster.options.disk.unsyncedLossFraction);
    this.crashes++;
    this.cluster.trace.record(
      this.cluster.queue.nowTicks,
      node.id,
      null,
      null,
      `! crash (unsynced batches lost ${lost}, kept ${kept})`
    );
    if (!scheduleRestart) return { lost, kept };
    const delay = this.random.intInclusive(faults.restartDelayTicksMin, faults.restartDelayTicksMax);
    const incarnation = node.incarnation;
    this.cluster.queue.schedule(delay, `n${node.id} restart`, () => {
      if (node.status === 'down' && node.incarnation === incarnation) this.restart(node);
    });
    return { lost, kept };
  }

  restart(node: SimNode): void {
    const termsBefore = new Map<number, number>();
    for (const groupId of node.disk.groups.keys())
      termsBefore.set(groupId, node.disk.durableHardState(groupId)?.term ?? 0);
    node.start();
    this.restarts++;
    for (const [groupId, replica] of node.replicas) {
      this.cluster.replicaProgress.observeRestart(
        groupId,
        node.id,
        termsBefore.get(groupId) ?? 0,
        replica.rawNode.raft.term
      );
      this.cluster.trace.record(this.cluster.queue.nowTicks, node.id, groupId, node.summary(groupId), '^ restart');
    }
  }

  pause(node: SimNode): void {
    const faults = this.cluster.options.faults;
    node.pause();
    this.pauses++;
    this.cluster.trace.record(this.cluster.queue.nowTicks, node.id, null, null, '% pause');
    const incarnation = node.incarnation;
    this.cluster.queue.schedule(
      this.random.intInclusive(faults.pauseTicksMin, faults.pauseTicksMax),
      `n${node.id} unpause`,
      () => {
        if (node.incarnation !== incarnation || node.status !== 'paused') return;
        node.unpause();
        this.cluster.trace.record(this.cluster.queue.nowTicks, node.id, null, null, '% unpause');
      }
    );
  }

  /** One membership change on a group, through its leader: add a learner, promote one, or remove a voter. */
  changeMembership(groupId: number): void {
    const leader = this.cluster.leaderOf(groupId);
    const raft = leader?.replicas.get(groupId)?.rawNode.raft;
    if (leader === null || raft === undefined) return;
    if (raft.pendingConfIndex > raft.raftLog.applied) return; // one change at a time
    const { voters, learners } = raft.tracker.confState();
    let change: ConfChange | null = null;
    if (learners.length > 0 && this.random.chance(0.7)) {
      change = { kind: 'addNode', nodeId: this.random.pick(learners) };
    } else if (voters.length + learners.length < GROUP_MEMBERS_MAX && this.random.chance(0.5)) {
      const target = this.joinTarget(groupId, [...voters, ...learners]);
      if (target !== null) change = { kind: 'addLearner', nodeId: target.id };
    } else if (voters.length > 1) {
      change = { kind: 'removeNode', nodeId: this.random.pick(voters) };
    }
    if (change === null) return;
    const proposed = change;
    try {
      leader.withRawNode(groupId, (rawNode) => rawNode.proposeConfChange(proposed));
    } catch (error) {
      if (!(error instanceof ProposalDroppedError)) throw error;
      return;
    }
    this.confChangesProposed++;
    this.cluster.trace.record(
      this.cluster.queue.nowTicks,
      leader.id,
      groupId,
      leader.summary(groupId),
      `propose conf ${change.kind} n${change.nodeId}`
    );
  }

  /** A node to add to the group: an up node outside the configuration, or a brand-new node. */
  private joinTarget(groupId: number, members: readonly number[]): SimNode | null {
    const outside = this.cluster
      .sortedNodes()
      .filter(
        (node) =>
          node.status === 'up' &&
          !members.includes(node.id) &&
          !this.cluster.retiredReplicas.has(`${node.id}/${groupId}`) &&
          (node.replicas.has(groupId) || node.quiescent)
      );
    let target: SimNode | null = outside.length > 0 ? this.random.pick(outside) : null;
    if (target === null && this.cluster.nodes.size < this.cluster.options.faults.nodeCountMax) {
      target = this.cluster.addNode(Math.max(...this.cluster.nodes.keys()) + 1);
      target.start();
      this.cluster.trace.record(this.cluster.queue.nowTicks, target.id, null, null, '^ new node');
    }
    if (target === null) return null;
    if (!target.replicas.has(groupId)) target.createReplica(groupId, null);
    return target;
  }

  transferLeader(groupId: number): void {
    const leader = this.cluster.leaderOf(groupId);
    const raft = leader?.replicas.get(groupId)?.rawNode.raft;
    if (leader === null || raft === undefined) return;
    const targets = raft.tracker.confState().voters.filter((id) => id !== leader.id);
    if (targets.length === 0) return;
    const target = this.random.pick(targets);
    leader.withRawNode(groupId, (rawNode) => rawNode.transferLeader(target));
    this.leaderTransfers++;
    this.cluster.trace.record(
      this.cluster.queue.nowTicks,
      leader.id,
      groupId,
      leader.summary(groupId),
      `transfer leadership to n${target}`
    );
  }

  /** The liveness phase: heal every fault. */
  healAll(): void {
    this.enabled = false;
    this.cluster.network.healForever();
    for (const node of this.cluster.sortedNodes()) {
      if (node.status === 'down') this.restart(node);
      else if (node.status === 'paused') node.unpause();
    }
  }
}
