/**
 * Three (or more) BenchNodes in one process over an InProcessNetwork, hosting the same groups, with helpers to
 * place leaders and to sum the nodes' counters. Everything shares one JS thread, so every CPU figure the
 * benchmark reports is that of all nodes together.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { NodeId } from '../../src/raft/core/types.js';
import { progress } from '../support/progress.js';
import { BenchNode } from './benchNode.js';
import type { BenchRaftOptions } from './benchNode.js';
import { InProcessNetwork } from './inProcessNetwork.js';
import { ProposalTracker } from './proposalTracker.js';

export interface BenchClusterOptions {
  readonly dataDir: string;
  readonly nodeCount: number;
  readonly groupCount: number;
  readonly tickMs: number;
  readonly raft: BenchRaftOptions;
}

/** Counters summed over the cluster, for deltas across a measurement window. */
export interface ClusterCounters {
  /** LogWriter batches (= fsyncs) per node, in node order. */
  readonly fsyncsPerNode: readonly number[];
  readonly entriesWrittenPerNode: readonly number[];
  readonly syncMsTotalPerNode: readonly number[];
  readonly cycles: number;
  readonly messagesDelivered: number;
  readonly deliveries: number;
}

/** Polls `condition` every 5 ms until it holds; throws after `timeoutMs`. */
async function waitFor(what: string, timeoutMs: number, condition: () => boolean): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

export class BenchCluster {
  readonly tracker = new ProposalTracker();
  readonly network = new InProcessNetwork();
  readonly nodes: BenchNode[] = [];
  readonly groupIds: readonly number[];
  private fatalError: unknown = null;

  private constructor(private readonly options: BenchClusterOptions) {
    this.groupIds = Array.from({ length: options.groupCount }, (_unused, position) => position + 1);
  }

  /** Opens every node (each bootstraps every group) and starts their tick timers. */
  static async start(options: BenchClusterOptions): Promise<BenchCluster> {
    const cluster = new BenchCluster(options);
    const voterIds = Array.from({ length: options.nodeCount }, (_unused, position) => position + 1);
    for (const nodeId of voterIds) {
      const node = await BenchNode.open({
        nodeId,
        dataDir: options.dataDir,
        groupIds: cluster.groupIds,
        voterIds,
        network: cluster.network,
        tracker: cluster.tracker,
        raft: options.raft,
        onFatal: (failedId, error) => cluster.onFatal(failedId, error),
      });
      cluster.nodes.push(node);
    }
    for (const node of cluster.nodes) node.startTicking(options.tickMs);
    return cluster;
  }

  /** Throws the first driver failure, if any (the figures of a failed run mean nothing). */
  checkHealthy(): void {
    if (this.fatalError !== null) throw this.fatalError;
  }

  node(nodeId: NodeId): BenchNode {
    const node = this.nodes[nodeId - 1];
    if (node === undefined) throw new Error(`no node ${nodeId}`);
    return node;
  }

  /** The node that is Raft leader of `groupId` in the highest term, or undefined during an election. */
  leaderOf(groupId: number): BenchNode | undefined {
    let leader: BenchNode | undefined;
    let leaderTerm = -1;
    for (const node of this.nodes) {
      const raft = node.rawNode(groupId).raft;
      if (raft.role === 'leader' && raft.term > leaderTerm) {
        leader = node;
        leaderTerm = raft.term;
      }
    }
    return leader;
  }

  /**
   * Makes `preferredLeader(groupId)` the leader of every group: campaigns there, then transfers leadership of
   * any group another node won, and waits until each leader has applied its term's first entry (so that a
   * proposal made now is not queued behind the election).
   */
  async placeLeaders(preferredLeader: (groupId: number) => NodeId, timeoutMs: number): Promise<void> {
    for (const groupId of this.groupIds)
      this.node(preferredLeader(groupId)).multiRaft.withGroup(groupId, (raw) => raw.campaign());
    await waitFor('a leader in every group', timeoutMs, () =>
      this.groupIds.every((groupId) => this.isSettled(groupId))
    );
    const misplaced = this.groupIds.filter((groupId) => this.leaderOf(groupId)?.id !== preferredLeader(groupId));
    if (misplaced.length > 0)
      progress(`transferring leadership of ${misplaced.length} group(s) to their preferred node`);
    for (const groupId of misplaced) {
      this.leaderOf(groupId)?.multiRaft.withGroup(groupId, (raw) => raw.transferLeader(preferredLeader(groupId)));
    }
    await waitFor('leaders on their preferred nodes', timeoutMs, () =>
      this.groupIds.every(
        (groupId) => this.isSettled(groupId) && this.leaderOf(groupId)?.id === preferredLeader(groupId)
      )
    );
    this.checkHealthy();
  }

  /**
   * Waits until every replica of every group has applied its leader's commit index: a sanity check that what
   * the benchmark counted as committed really reached all three logs.
   */
  async waitConverged(timeoutMs: number): Promise<void> {
    await waitFor('every replica to apply its leader commit index', timeoutMs, () =>
      this.groupIds.every((groupId) => {
        const leader = this.leaderOf(groupId);
        if (leader === undefined) return false;
        const commit = leader.rawNode(groupId).status().commit;
        return this.nodes.every((node) => node.rawNode(groupId).raft.raftLog.applied >= commit);
      })
    );
  }

  /** Leader count per node, in node order. */
  leadersPerNode(): number[] {
    return this.nodes.map((node) => this.groupIds.filter((groupId) => this.leaderOf(groupId) === node).length);
  }

  counters(): ClusterCounters {
    const writerStats = this.nodes.map((node) => node.db.logWriter.stats());
    return {
      fsyncsPerNode: writerStats.map((stats) => stats.batches),
      entriesWrittenPerNode: writerStats.map((stats) => stats.entries),
      syncMsTotalPerNode: writerStats.map((stats) => stats.syncMsTotal),
      cycles: this.nodes.reduce((total, node) => total + node.multiRaft.stats.cycles, 0),
      messagesDelivered: this.network.stats.messagesDelivered,
      deliveries: this.network.stats.deliveries,
    };
  }

  /** Stops the network and every node, and closes their DBs. */
  async close(): Promise<void> {
    this.network.close();
    for (const node of this.nodes) await node.close();
  }

  /** The group has a leader that has committed and applied everything it has (its election no-op included). */
  private isSettled(groupId: number): boolean {
    this.checkHealthy();
    const leader = this.leaderOf(groupId);
    if (leader === undefined) return false;
    const status = leader.rawNode(groupId).status();
    return status.leadTransferee === 0 && status.commit === status.lastIndex && status.applied === status.commit;
  }

  private onFatal(nodeId: NodeId, error: unknown): void {
    progress(
      `node ${nodeId}: driver failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`
    );
    this.fatalError ??= error;
  }
}
