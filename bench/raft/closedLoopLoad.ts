/**
 * A closed-loop load: `slotsPerGroup` proposals outstanding per group at all times. Each slot proposes one
 * 100-byte entry through the leader's `multiRaft.propose` and, when the leader applies it, proposes the next.
 * After a warm-up the window opens: committed proposals, their latencies (propose → applied on the leader),
 * the nodes' fsyncs and messages, and the process's CPU and RSS are measured until it closes. Then no new
 * proposal is made and the outstanding ones drain, so the next run starts from a quiet cluster.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ProposalDroppedError } from '../../src/raft/core/errors.js';
import { LatencyRecorder } from '../support/percentile.js';
import type { LatencySummaryMs } from '../support/percentile.js';
import { progress } from '../support/progress.js';
import { ResourceSampler } from '../support/resourceSampler.js';
import type { ResourceUsage } from '../support/resourceSampler.js';
import type { BenchCluster, ClusterCounters } from './benchCluster.js';
import type { BenchNode } from './benchNode.js';
import { encodeProposalPayload } from './proposalPayload.js';

export interface ClosedLoopOptions {
  readonly label: string;
  readonly groupIds: readonly number[];
  readonly slotsPerGroup: number;
  readonly payloadBytes: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** A proposal outstanding this long is counted lost and its slot proposes again. */
  readonly proposalLostMs: number;
  /**
   * single: every proposal is its own `multiRaft.propose` (one append per follower per proposal). batch: every
   * proposal goes through `multiRaft.enqueueProposal`, so that a turn's proposals become one append per
   * follower (the production path).
   */
  readonly proposeMode: ProposeMode;
}

export type ProposeMode = 'single' | 'batch';

export interface ClosedLoopResult {
  readonly groups: number;
  /** Outstanding proposals across all groups (slotsPerGroup × groups). */
  readonly concurrency: number;
  readonly windowMs: number;
  readonly committed: number;
  readonly committedPerS: number;
  readonly latency: LatencySummaryMs;
  /** Proposals Raft refused (ProposalDroppedError) during the window; each slot retried. */
  readonly proposalsDropped: number;
  /** Proposals given up as lost (outstanding longer than proposalLostMs) during the window. */
  readonly proposalsLost: number;
  readonly fsyncsTotal: number;
  readonly fsyncsPerNode: readonly number[];
  /** All nodes' fsyncs ÷ committed proposals. */
  readonly fsyncsPerProposal: number;
  /** Each node's fsyncs ÷ committed proposals. */
  readonly fsyncsPerProposalPerNode: readonly number[];
  /** Mean LevelDB synced-batch latency over the window, per node. */
  readonly syncMsMeanPerNode: readonly number[];
  readonly messagesPerProposal: number;
  /** Messages per setImmediate delivery: how much the network batched. */
  readonly messagesPerDelivery: number;
  /** MultiRaft cycles (all nodes) per committed proposal. */
  readonly cyclesPerProposal: number;
  readonly leadersPerNode: readonly number[];
  readonly resources: ResourceUsage;
  /** Process CPU (user + system, all 3 nodes and LevelDB threads) per committed proposal. */
  readonly cpuMicrosPerProposal: number;
}

interface LoadState {
  phase: 'warmup' | 'measure' | 'drain';
  committed: number;
  dropped: number;
  lost: number;
  outstanding: number;
  readonly latency: LatencyRecorder;
  readonly leaders: Map<number, BenchNode | undefined>;
}

/** Runs one closed-loop measurement on `cluster` (whose leaders must be placed already). */
export async function runClosedLoop(cluster: BenchCluster, options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const state: LoadState = {
    phase: 'warmup',
    committed: 0,
    dropped: 0,
    lost: 0,
    outstanding: 0,
    latency: new LatencyRecorder(),
    leaders: new Map(options.groupIds.map((groupId) => [groupId, cluster.leaderOf(groupId)])),
  };
  const propose = (groupId: number): void => proposeNext(cluster, options, state, groupId, propose);
  for (const groupId of options.groupIds) {
    for (let slot = 0; slot < options.slotsPerGroup; slot++) {
      state.outstanding++;
      propose(groupId);
    }
  }
  const watchdog = setInterval(() => reissueLost(cluster, options, state, propose), 250);
  try {
    await sleep(options.warmupMs);
    cluster.checkHealthy();
    return await measureWindow(cluster, options, state);
  } finally {
    state.phase = 'drain';
    await drain(cluster, state, options.proposalLostMs);
    clearInterval(watchdog);
  }
}

/** One slot's next proposal; a refused one is retried after 1 ms (a leader change is under way). */
function proposeNext(
  cluster: BenchCluster,
  options: ClosedLoopOptions,
  state: LoadState,
  groupId: number,
  propose: (groupId: number) => void
): void {
  if (state.phase === 'drain') {
    state.outstanding--;
    return;
  }
  const leader = state.leaders.get(groupId) ?? cluster.leaderOf(groupId);
  if (leader === undefined) {
    setTimeout(() => propose(groupId), 1);
    return;
  }
  const proposalId = cluster.tracker.register(leader.id, groupId, (latencyMs) => {
    if (state.phase === 'measure') {
      state.committed++;
      state.latency.record(latencyMs);
    }
    propose(groupId);
  });
  const payload = encodeProposalPayload(proposalId, options.payloadBytes);
  if (options.proposeMode === 'single') {
    try {
      leader.multiRaft.propose(groupId, payload);
    } catch (error) {
      onProposalsRefused(cluster, state, groupId, [proposalId], error, propose);
    }
    return;
  }
  // batch: MultiRaft's proposal queue turns every proposal of a turn into one batch per group.
  try {
    leader.multiRaft.enqueueProposal(groupId, payload);
  } catch (error) {
    onProposalsRefused(cluster, state, groupId, [proposalId], error, propose);
  }
}

/** Raft refused proposals (ProposalDroppedError): forget them and let their slots retry in 1 ms. */
function onProposalsRefused(
  cluster: BenchCluster,
  state: LoadState,
  groupId: number,
  proposalIds: readonly number[],
  error: unknown,
  propose: (groupId: number) => void
): void {
  if (!(error instanceof ProposalDroppedError)) throw error;
  for (const proposalId of proposalIds) cluster.tracker.forget(proposalId);
  if (state.phase === 'measure') state.dropped += proposalIds.length;
  state.leaders.set(groupId, cluster.leaderOf(groupId));
  setTimeout(() => {
    for (let retry = 0; retry < proposalIds.length; retry++) propose(groupId);
  }, 1);
}

/** Proposals lost in a leadership change never complete: give them up and let their slots propose again. */
function reissueLost(
  cluster: BenchCluster,
  options: ClosedLoopOptions,
  state: LoadState,
  propose: (groupId: number) => void
): void {
  const stale = cluster.tracker.staleProposals(options.proposalLostMs);
  if (stale.length === 0) return;
  progress(`${options.label}: ${stale.length} proposal(s) outstanding > ${options.proposalLostMs} ms, reissuing`);
  if (state.phase === 'measure') state.lost += stale.length;
  for (const groupId of options.groupIds) state.leaders.set(groupId, cluster.leaderOf(groupId));
  for (const { proposalId, groupId } of stale) {
    cluster.tracker.forget(proposalId);
    propose(groupId);
  }
}

/** Opens the window, reports progress every second, closes it and turns the deltas into figures. */
async function measureWindow(
  cluster: BenchCluster,
  options: ClosedLoopOptions,
  state: LoadState
): Promise<ClosedLoopResult> {
  state.latency.reset();
  state.phase = 'measure';
  const before = cluster.counters();
  const sampler = new ResourceSampler();
  sampler.start();
  let committedAtLastReport = 0;
  const reporter = setInterval(() => {
    progress(
      `${options.label}: ${state.committed - committedAtLastReport} committed in the last second, ` +
        `${cluster.tracker.pendingCount} outstanding`
    );
    committedAtLastReport = state.committed;
  }, 1000);
  try {
    await sleep(options.durationMs);
  } finally {
    clearInterval(reporter);
  }
  const resources = sampler.stop();
  state.phase = 'drain';
  cluster.checkHealthy();
  return summarize(cluster, options, state, before, cluster.counters(), resources);
}

function summarize(
  cluster: BenchCluster,
  options: ClosedLoopOptions,
  state: LoadState,
  before: ClusterCounters,
  after: ClusterCounters,
  resources: ResourceUsage
): ClosedLoopResult {
  const committed = state.committed;
  const perProposal = (count: number): number => (committed > 0 ? count / committed : Number.NaN);
  const fsyncsPerNode = after.fsyncsPerNode.map((count, position) => count - (before.fsyncsPerNode[position] ?? 0));
  const syncMsMeanPerNode = after.syncMsTotalPerNode.map((totalMs, position) => {
    const fsyncs = fsyncsPerNode[position] ?? 0;
    return fsyncs > 0 ? (totalMs - (before.syncMsTotalPerNode[position] ?? 0)) / fsyncs : Number.NaN;
  });
  const fsyncsTotal = fsyncsPerNode.reduce((total, count) => total + count, 0);
  const messages = after.messagesDelivered - before.messagesDelivered;
  const deliveries = after.deliveries - before.deliveries;
  return {
    groups: options.groupIds.length,
    concurrency: options.groupIds.length * options.slotsPerGroup,
    windowMs: resources.wallMs,
    committed,
    committedPerS: (committed / resources.wallMs) * 1000,
    latency: state.latency.summary(),
    proposalsDropped: state.dropped,
    proposalsLost: state.lost,
    fsyncsTotal,
    fsyncsPerNode,
    fsyncsPerProposal: perProposal(fsyncsTotal),
    fsyncsPerProposalPerNode: fsyncsPerNode.map(perProposal),
    syncMsMeanPerNode,
    messagesPerProposal: perProposal(messages),
    messagesPerDelivery: deliveries > 0 ? messages / deliveries : Number.NaN,
    cyclesPerProposal: perProposal(after.cycles - before.cycles),
    leadersPerNode: cluster.leadersPerNode(),
    resources,
    cpuMicrosPerProposal: perProposal((resources.cpuUserMs + resources.cpuSystemMs) * 1000),
  };
}

/** Waits until every slot has stopped (its last proposal applied or given up). */
async function drain(cluster: BenchCluster, state: LoadState, proposalLostMs: number): Promise<void> {
  const deadline = performance.now() + proposalLostMs * 2;
  while (state.outstanding > 0 && performance.now() < deadline) {
    cluster.checkHealthy();
    await sleep(5);
  }
  if (state.outstanding > 0) progress(`drain: ${state.outstanding} proposal(s) still outstanding, moving on`);
}
