/**
 * The simulated cluster: nodes, groups, clients, network and disks on one event queue, plus the invariant
 * checkers that run after every event. It owns the world's rules (who hosts which group, the client channel,
 * replica garbage collection after removal); faults are decided by {@link FaultScheduler}.
 */
import type { ConfChange, ConfState } from '../../src/raft/core/types.js';
import type { RandomSource } from '../../src/raft/core/random.js';
import { AckAfterPersistChecker } from './checkers/ackAfterPersist.js';
import { CommittedLogChecker } from './checkers/committedLog.js';
import { ElectionSafetyChecker } from './checkers/electionSafety.js';
import { ReplicaProgressChecker } from './checkers/replicaProgress.js';
import { StateMachineSafetyChecker } from './checkers/stateMachineSafety.js';
import { ViolationLog } from './checkers/violations.js';
import type { ClientRequest, ClientResponse } from './clientProtocol.js';
import { SimClient } from './clients.js';
import { EventQueue, drainMicrotasks } from './eventQueue.js';
import { History } from './history.js';
import type { SimOptions } from './options.js';
import { stream } from './prng.js';
import { SimDisk } from './simDisk.js';
import { SimNetwork } from './simNetwork.js';
import { SimNode, type NodeWorld } from './simNode.js';
import { Trace } from './trace.js';

export type Phase = 'safety' | 'liveness' | 'done';

export class SimCluster {
  readonly queue = new EventQueue();
  readonly violations = new ViolationLog(() => this.queue.nowTicks);
  readonly electionSafety = new ElectionSafetyChecker(this.violations);
  readonly committedLog = new CommittedLogChecker(this.violations);
  readonly stateMachineSafety = new StateMachineSafetyChecker(this.violations);
  readonly replicaProgress = new ReplicaProgressChecker(this.violations);
  readonly ackAfterPersist = new AckAfterPersistChecker(this.violations);
  readonly history = new History();
  readonly trace: Trace;
  readonly network: SimNetwork;
  readonly nodes = new Map<number, SimNode>();
  readonly clients: SimClient[] = [];
  phase: Phase = 'safety';
  /** Whether clients start new ops on ticks. */
  workloadOn = true;
  /** Hooks run at the end of every tick (fault scheduler, liveness driver, scenario harness). */
  readonly tickHooks: (() => void)[] = [];
  /** Probes applied: `group/probeId` → nodes that applied it. */
  readonly probesApplied = new Map<string, Set<number>>();
  eventsRun = 0;
  /** Observers of every client response (scenario tests issue their own requests). */
  readonly responseTaps: ((nodeId: number, response: ClientResponse) => void)[] = [];
  /** Replicas that applied their own removal: `node/group`, destroyed by {@link collectRemovedReplicas}. */
  private readonly gcCandidates = new Set<string>();
  /**
   * Replicas destroyed after removal: `node/group`. Their node never rejoins that group: a Raft peer id is never
   * reused once its data is wiped (etcd member ids and CockroachDB replica ids are not either), because messages
   * still in flight to the old replica carry state (a commit index, say) the new empty one does not have.
   */
  readonly retiredReplicas = new Set<string>();
  private readonly nodeWorld: NodeWorld;
  private readonly diskRandom;

  constructor(
    readonly options: SimOptions,
    traceLines = 400
  ) {
    this.trace = new Trace(traceLines);
    this.network = new SimNetwork(this.queue, stream(options.seed, 'network'), options.network);
    this.diskRandom = stream(options.seed, 'disk');
    this.nodeWorld = this.makeNodeWorld();
  }

  /** Creates the initial nodes and groups and starts the tick clock. */
  bootstrap(): void {
    const placement = stream(this.options.seed, 'options', 1);
    for (let id = 1; id <= this.options.nodeCount; id++) this.addNode(id);
    const nodeIds = [...this.nodes.keys()];
    for (let groupId = 0; groupId < this.options.groupCount; groupId++) {
      const voters = placement
        .shuffled(nodeIds)
        .slice(0, Math.min(this.options.replicasPerGroup, nodeIds.length))
        .sort((a, b) => a - b);
      for (const id of voters) (this.nodes.get(id) as SimNode).createReplica(groupId, { voters, learners: [] });
    }
    for (const node of this.nodes.values()) node.start();
    const workload = stream(this.options.seed, 'workload');
    for (let id = 0; id < this.options.workload.clientCount; id++) {
      this.clients.push(
        new SimClient(id, {
          queue: this.queue,
          history: this.history,
          random: workload,
          options: this.options.workload,
          groupCount: this.options.groupCount,
          hostsOf: (groupId) => this.hostsOf(groupId),
          sendRequest: (nodeId, request) => this.sendClientRequest(nodeId, request),
          trace: (clientId, text) => this.trace.record(this.queue.nowTicks, null, null, null, `c${clientId} ${text}`),
        })
      );
    }
    this.queue.schedule(1, 'tick', () => this.tickAll());
  }

  /** Adds a node with an empty disk (not started). */
  addNode(id: number): SimNode {
    const disk = new SimDisk(id, this.queue, this.diskRandom, this.options.disk, (name, detail) =>
      this.violations.report(name, detail)
    );
    const node = new SimNode(id, disk, this.nodeWorld);
    this.nodes.set(id, node);
    return node;
  }

  node(id: number): SimNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  /** Nodes that host a replica of the group (on disk, whatever their process state), ascending. */
  hostsOf(groupId: number): number[] {
    const hosts: number[] = [];
    for (const [id, node] of this.nodes) if (node.disk.groups.has(groupId)) hosts.push(id);
    return hosts.sort((a, b) => a - b);
  }

  /** The up node that leads the group in the highest term, if any. */
  leaderOf(groupId: number): SimNode | null {
    let best: SimNode | null = null;
    let bestTerm = -1;
    for (const node of this.nodes.values()) {
      if (node.status !== 'up') continue;
      const raft = node.replicas.get(groupId)?.rawNode.raft;
      if (raft !== undefined && raft.role === 'leader' && raft.term > bestTerm) {
        best = node;
        bestTerm = raft.term;
      }
    }
    return best;
  }

  private tickAll(): void {
    for (const node of this.sortedNodes()) node.tick();
    this.collectRemovedReplicas();
    for (const hook of this.tickHooks) hook();
    if (this.workloadOn) for (const client of this.clients) client.maybeStart();
    if (this.phase !== 'done') this.queue.schedule(1, 'tick', () => this.tickAll());
  }

  sortedNodes(): SimNode[] {
    return [...this.nodes.values()].sort((a, b) => a.id - b.id);
  }

  /** Runs events until `untilTicks`, or until `stop` holds after an event, or a violation. */
  async runUntil(untilTicks: number, stop: () => boolean = () => false): Promise<void> {
    while (!this.violations.failed) {
      if (this.queue.peekTimeTicks() > untilTicks) {
        this.queue.nowTicks = Math.max(this.queue.nowTicks, untilTicks);
        return;
      }
      const event = this.queue.pop();
      if (event === undefined) return;
      try {
        event.run();
      } catch (error) {
        this.violations.report(
          'exception',
          `${event.label}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`
        );
      }
      await drainMicrotasks();
      this.eventsRun++;
      this.checkAll();
      if (stop()) return;
    }
  }

  /** The per-event invariants: election safety, log matching, leader completeness, monotonic term/commit. */
  checkAll(): void {
    for (const node of this.nodes.values()) {
      if (node.status === 'down') continue;
      for (const replica of node.replicas.values()) {
        const raft = replica.rawNode.raft;
        const groupId = replica.groupId;
        this.replicaProgress.observe(
          replica.storage,
          groupId,
          node.id,
          raft.term,
          raft.raftLog.committed,
          raft.raftLog.lastIndex()
        );
        if (raft.role === 'leader' && this.electionSafety.observeLeader(groupId, raft.term, node.id)) {
          this.committedLog.observeNewLeader(groupId, node.id, raft.term, raft.raftLog.lastIndex());
          this.trace.record(this.queue.nowTicks, node.id, groupId, node.summary(groupId), 'became leader');
        }
        this.committedLog.observeReplica(groupId, node.id, replica.storage);
      }
    }
  }

  sendClientRequest(nodeId: number, request: ClientRequest): void {
    this.queue.schedule(this.options.workload.clientDelayTicks, 'client request', () =>
      this.nodes.get(nodeId)?.handleClientRequest(request)
    );
  }

  private makeNodeWorld(): NodeWorld {
    return {
      queue: this.queue,
      network: this.network,
      options: this.options,
      violations: this.violations,
      stateMachineSafety: this.stateMachineSafety,
      ackAfterPersist: this.ackAfterPersist,
      trace: (nodeId, groupId, text) =>
        this.trace.record(
          this.queue.nowTicks,
          nodeId,
          groupId,
          groupId === null ? null : (this.nodes.get(nodeId)?.summary(groupId) ?? null),
          text
        ),
      raftRandom: (nodeId, groupId, incarnation): RandomSource =>
        stream(this.options.seed, 'raft', nodeId, groupId, incarnation),
      onConfChangeApplied: (nodeId, groupId, change, confState) =>
        this.onConfChangeApplied(nodeId, groupId, change, confState),
      onProbeApplied: (nodeId, groupId, probeId) => {
        const key = `${groupId}/${probeId}`;
        const set = this.probesApplied.get(key) ?? new Set<number>();
        set.add(nodeId);
        this.probesApplied.set(key, set);
      },
      reply: (nodeId, response: ClientResponse) =>
        this.queue.schedule(this.options.workload.clientDelayTicks, 'client response', () => {
          this.clients[response.clientId]?.onResponse(nodeId, response);
          for (const tap of this.responseTaps) tap(nodeId, response);
        }),
    };
  }

  /**
   * A replica applied a conf change. A node that applies its own removal becomes a candidate for replica GC;
   * one that applies its own (re-)addition stops being one.
   */
  private onConfChangeApplied(nodeId: number, groupId: number, change: ConfChange, confState: ConfState): void {
    this.trace.record(
      this.queue.nowTicks,
      nodeId,
      groupId,
      this.nodes.get(nodeId)?.summary(groupId) ?? null,
      `conf ${change.kind} n${change.nodeId} -> voters=[${confState.voters.join(',')}] learners=[${confState.learners.join(',')}]`
    );
    if (change.nodeId !== nodeId) return;
    if (change.kind === 'removeNode') this.gcCandidates.add(`${nodeId}/${groupId}`);
    else this.gcCandidates.delete(`${nodeId}/${groupId}`);
  }

  /**
   * Replica GC (as CockroachDB does against the range descriptor): a removed replica is destroyed only once the
   * group's current leader, another node that is itself a member, agrees it is not a member and has no conf
   * change in flight, so that a removal followed quickly by a re-addition never destroys the re-added replica.
   */
  private collectRemovedReplicas(): void {
    for (const key of [...this.gcCandidates].sort()) {
      const [nodeId, groupId] = key.split('/').map(Number) as [number, number];
      const node = this.nodes.get(nodeId);
      if (node === undefined || node.status !== 'up' || !node.replicas.has(groupId)) continue;
      const leader = this.leaderOf(groupId);
      // The removed replica itself may still be leading (handing leadership over): it is not the authority on
      // its own removal, and destroying it then could strand the others (seed 303876).
      if (leader === null || leader.id === nodeId) continue;
      const leaderRaft = leader.replicas.get(groupId)?.rawNode.raft;
      if (leaderRaft === undefined || leaderRaft.isRemovedLeader()) continue;
      if (leaderRaft.pendingConfIndex > leaderRaft.raftLog.applied) continue;
      const { voters, learners } = leaderRaft.tracker.confState();
      if (voters.includes(nodeId) || learners.includes(nodeId)) continue;
      this.gcCandidates.delete(key);
      this.retiredReplicas.add(key);
      node.destroyReplica(groupId);
      this.trace.record(this.queue.nowTicks, nodeId, groupId, null, 'replica destroyed after removal');
    }
  }
}
