/**
 * A small fluent harness for named fault scenarios on the simulator: a quiet cluster (no random faults, no
 * loss, clients off) that a test drives step by step, e.g.
 *
 *   const t = await Scenario.start({ nodeCount: 3 });
 *   const leader = await t.awaitLeader(0);
 *   t.node(leader).dropAll({ direction: 'both' });
 *   await t.until(() => t.leaderId(0) !== leader, 300, 'a new leader');
 *
 * Every step runs real MultiRaft/RawNode code on the event queue with the per-event checkers on; a test ends
 * with `t.assertNoViolations()` besides its own assertions.
 */
import { ProposalDroppedError } from '../../../src/raft/core/errors.js';
import type { ConfChange } from '../../../src/raft/core/types.js';
import type { ClientResponse } from '../clientProtocol.js';
import { FaultScheduler } from '../faults.js';
import type { KvOp, KvOutput } from '../history.js';
import { checkLinearizable, type LinearizabilityResult } from '../linearizability.js';
import { deriveOptions, withOptions, type SimOptions } from '../options.js';
import { stream } from '../prng.js';
import { SimCluster } from '../simCluster.js';
import type { SimNode } from '../simNode.js';

type OptionOverrides = Parameters<typeof withOptions>[1];

/** Quiet defaults: lite preset, no random faults, no loss, no partitions, clients idle. */
function quietOptions(seed: number, overrides: OptionOverrides): SimOptions {
  const base = deriveOptions(seed, 'lite');
  const quiet = withOptions(base, {
    network: { lossProbability: 0, duplicateProbability: 0, partitionMode: 'none' },
    faults: { crashProbability: 0, pauseProbability: 0, membershipProbability: 0, leaderTransferProbability: 0 },
  });
  return withOptions(quiet, overrides);
}

/** Per-node controls. */
export class NodeHandle {
  constructor(
    private readonly scenario: Scenario,
    readonly id: number
  ) {}

  get sim(): SimNode {
    return this.scenario.cluster.node(this.id);
  }

  /** Cuts this node's links: incoming (receive nothing), outgoing (send nothing) or both. */
  dropAll({ direction }: { direction: 'incoming' | 'outgoing' | 'both' }): this {
    const others = this.scenario.cluster
      .sortedNodes()
      .map((node) => node.id)
      .filter((id) => id !== this.id);
    const network = this.scenario.cluster.network;
    if (direction === 'both') network.cutBetween([this.id], others, 'both');
    else if (direction === 'outgoing') network.cutBetween([this.id], others, 'aToB');
    else network.cutBetween(others, [this.id], 'aToB');
    return this;
  }

  crash(): { lost: number; kept: number } {
    return this.scenario.faults.crash(this.sim, false);
  }

  restart(): this {
    this.scenario.faults.restart(this.sim);
    return this;
  }

  pause(): this {
    this.sim.pause();
    return this;
  }

  unpause(): this {
    this.sim.unpause();
    return this;
  }

  role(groupId: number): string | null {
    return this.sim.summary(groupId)?.role ?? null;
  }

  term(groupId: number): number {
    return this.sim.replicas.get(groupId)?.rawNode.raft.term ?? 0;
  }

  applied(groupId: number): number {
    return this.sim.replicas.get(groupId)?.applied ?? 0;
  }

  commit(groupId: number): number {
    return this.sim.replicas.get(groupId)?.rawNode.raft.raftLog.committed ?? 0;
  }

  digest(groupId: number): number | null {
    return this.sim.replicas.get(groupId)?.kv.digest() ?? null;
  }
}

/** The client id scenario requests use (the workload's clients are 0..n-1). */
const SCENARIO_CLIENT_ID = 900;

export class Scenario {
  readonly faults: FaultScheduler;
  private opSeqNext = 1;
  private readonly responses = new Map<number, { nodeId: number; response: ClientResponse }>();

  private constructor(readonly cluster: SimCluster) {
    this.faults = new FaultScheduler(cluster, stream(cluster.options.seed, 'faults'));
    this.faults.enabled = false;
    cluster.responseTaps.push((nodeId, response) => {
      if (response.clientId === SCENARIO_CLIENT_ID) this.responses.set(response.opSeq, { nodeId, response });
    });
  }

  /** Builds and boots a quiet cluster; `overrides` change any option. */
  static start(overrides: OptionOverrides = {}, seed = 1): Scenario {
    const cluster = new SimCluster(quietOptions(seed, overrides));
    cluster.workloadOn = false;
    cluster.bootstrap();
    return new Scenario(cluster);
  }

  node(id: number): NodeHandle {
    this.cluster.node(id);
    return new NodeHandle(this, id);
  }

  get nowTicks(): number {
    return this.cluster.queue.nowTicks;
  }

  /** Runs `ticks` ticks of simulated time. */
  async ticks(ticks: number): Promise<void> {
    await this.cluster.runUntil(this.cluster.queue.nowTicks + ticks);
  }

  /** Runs until `condition` holds; throws (with the trace tail) if it does not within `budgetTicks`. */
  async until(condition: () => boolean, budgetTicks: number, what: string): Promise<void> {
    if (condition()) return;
    await this.cluster.runUntil(this.cluster.queue.nowTicks + budgetTicks, condition);
    if (!condition()) {
      throw new Error(`scenario: no ${what} within ${budgetTicks} ticks\n${this.cluster.trace.tail(30).join('\n')}`);
    }
  }

  leaderId(groupId: number): number | null {
    return this.cluster.leaderOf(groupId)?.id ?? null;
  }

  async awaitLeader(groupId: number, budgetTicks = 500): Promise<number> {
    await this.until(() => this.leaderId(groupId) !== null, budgetTicks, `leader of g${groupId}`);
    return this.leaderId(groupId) as number;
  }

  heal(): this {
    this.cluster.network.heal();
    return this;
  }

  /** Starts or stops the seeded client workload. */
  workload(on: boolean): this {
    this.cluster.workloadOn = on;
    return this;
  }

  /** Writes through the current leader, retrying on redirects and timeouts; resolves with the ack. */
  async put(groupId: number, key: string, value: number, budgetTicks = 600): Promise<KvOutput> {
    const opSeq = this.opSeqNext++;
    return this.request(groupId, { kind: 'put', key, value }, opSeq, budgetTicks, (nodeId) =>
      this.cluster.sendClientRequest(nodeId, {
        kind: 'write',
        groupId,
        clientId: SCENARIO_CLIENT_ID,
        opSeq,
        key,
        value,
        cas: null,
      })
    );
  }

  /** A linearizable read (ReadIndex) through the current leader. */
  async read(groupId: number, key: string, budgetTicks = 600): Promise<number | null> {
    const opSeq = this.opSeqNext++;
    let attempt = 0;
    const output = await this.request(groupId, { kind: 'get', key }, opSeq, budgetTicks, (nodeId) =>
      this.cluster.sendClientRequest(nodeId, {
        kind: 'read',
        groupId,
        clientId: SCENARIO_CLIENT_ID,
        opSeq,
        key,
        attempt: ++attempt,
      })
    );
    if (output.kind !== 'get') throw new Error(`read answered with ${output.kind}`);
    return output.value;
  }

  /** Reads from one given node only (no leader lookup): for stale-read tests. */
  async readFrom(nodeId: number, groupId: number, key: string, budgetTicks = 100): Promise<number | null> {
    const opSeq = this.opSeqNext++;
    this.recordOp('invoke', opSeq, { kind: 'get', key }, null);
    this.cluster.sendClientRequest(nodeId, {
      kind: 'read',
      groupId,
      clientId: SCENARIO_CLIENT_ID,
      opSeq,
      key,
      attempt: 1,
    });
    await this.until(() => this.responses.get(opSeq)?.response.kind === 'ok', budgetTicks, `read from n${nodeId}`);
    const answer = this.responses.get(opSeq)?.response;
    if (answer?.kind !== 'ok' || answer.output.kind !== 'get') throw new Error('read answered without a value');
    this.recordOp('ok', opSeq, { kind: 'get', key }, answer.output);
    return answer.output.value;
  }

  /** Scenario ops join the cluster's history, so the linearizability checker sees them too. */
  private recordOp(type: 'invoke' | 'ok' | 'info', opSeq: number, op: KvOp, output: KvOutput | null): void {
    this.cluster.history.record({ type, clientId: SCENARIO_CLIENT_ID, opSeq, op, output, timeTicks: this.nowTicks });
  }

  private async request(
    groupId: number,
    op: KvOp,
    opSeq: number,
    budgetTicks: number,
    send: (nodeId: number) => void
  ): Promise<KvOutput> {
    this.recordOp('invoke', opSeq, op, null);
    const deadline = this.nowTicks + budgetTicks;
    const retryTicks = 3 * this.cluster.options.raft.electionTicks;
    while (this.nowTicks < deadline) {
      const leader = await this.awaitLeader(groupId, deadline - this.nowTicks);
      send(leader);
      const sentAt = this.nowTicks;
      await this.until(
        () => this.responses.has(opSeq) || this.nowTicks - sentAt >= retryTicks || this.nowTicks >= deadline,
        retryTicks + 1,
        'response'
      );
      const answer = this.responses.get(opSeq);
      this.responses.delete(opSeq);
      if (answer?.response.kind === 'ok') {
        this.recordOp('ok', opSeq, op, answer.response.output);
        return answer.response.output;
      }
      await this.ticks(2);
    }
    this.recordOp('info', opSeq, op, null);
    throw new Error(`scenario: op ${opSeq} on g${groupId} not acknowledged within ${budgetTicks} ticks`);
  }

  /** Proposes a conf change through the group's leader; true if the leader took it. */
  proposeConfChange(groupId: number, change: ConfChange): boolean {
    const leader = this.cluster.leaderOf(groupId);
    if (leader === null) return false;
    try {
      leader.withRawNode(groupId, (rawNode) => rawNode.proposeConfChange(change));
      return true;
    } catch (error) {
      if (error instanceof ProposalDroppedError) return false;
      throw error;
    }
  }

  /** The configuration as the group's leader sees it. */
  confState(groupId: number): { voters: readonly number[]; learners: readonly number[] } | null {
    return this.cluster.leaderOf(groupId)?.replicas.get(groupId)?.rawNode.raft.tracker.confState() ?? null;
  }

  /** Adds a node process with an empty disk, started. */
  addNode(id: number): NodeHandle {
    this.cluster.addNode(id).start();
    return this.node(id);
  }

  linearizability(): LinearizabilityResult {
    for (const client of this.cluster.clients) client.abandon();
    return checkLinearizable(this.cluster.history.completedOps());
  }

  /** Throws with every violation and the trace tail if a checker fired. */
  assertNoViolations(): void {
    const violations = this.cluster.violations.violations;
    if (violations.length === 0) return;
    const lines = violations.map((violation) => `${violation.invariant}: ${violation.detail}`);
    throw new Error(`invariant violations:\n${lines.join('\n')}\n${this.cluster.trace.tail(40).join('\n')}`);
  }
}
