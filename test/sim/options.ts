/**
 * Every knob of one simulator run, derived from the seed (swarm testing after VOPR's `options_swarm`): each run
 * switches faults on and off and picks their rates from its seed, so a batch of seeds covers many fault mixes.
 * The table of TESTING.md §3 is restricted to what the Raft level has (no shards, workers, clocks or storage
 * corruption here).
 */
import { stream, type SimRandom } from './prng.js';

export type PartitionMode = 'none' | 'isolateSingle' | 'uniformSize' | 'uniformPartition';
export type PresetName = 'lite' | 'default';

export interface NetworkOptions {
  readonly delayMinTicks: number;
  readonly delayMeanTicks: number;
  /** Probability that a packet is dropped (0–0.3). */
  readonly lossProbability: number;
  /** Probability that a delivered packet is delivered a second time (0–0.5). */
  readonly duplicateProbability: number;
  readonly partitionMode: PartitionMode;
  /** One-way partitions: a cut link drops only one direction. */
  readonly partitionAsymmetric: boolean;
  readonly partitionProbability: number;
  readonly unpartitionProbability: number;
  readonly partitionStabilityTicks: number;
  readonly unpartitionStabilityTicks: number;
  /** Size of one snapshot chunk on the wire. */
  readonly snapshotChunkBytes: number;
  /** Ticks without an end-to-end ack after which a snapshot transfer is reported failed. */
  readonly snapshotTransferTicksMax: number;
  /** Ticks after which unacknowledged chunks are sent again. */
  readonly snapshotRetransmitTicks: number;
}

export interface DiskOptions {
  readonly syncDelayMinTicks: number;
  readonly syncDelayMeanTicks: number;
  /** Fraction of the unsynced batches a crash loses (1 = all; the atlas draws 0.8–1). */
  readonly unsyncedLossFraction: number;
}

export interface FaultOptions {
  readonly crashProbability: number;
  readonly crashStabilityTicks: number;
  readonly restartDelayTicksMin: number;
  readonly restartDelayTicksMax: number;
  readonly pauseProbability: number;
  readonly pauseTicksMin: number;
  readonly pauseTicksMax: number;
  readonly membershipProbability: number;
  readonly leaderTransferProbability: number;
  /** Nodes the cluster may grow to by membership changes. */
  readonly nodeCountMax: number;
}

export interface RaftOptions {
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly maxSizePerMsgBytes: number;
  readonly maxInflightMsgs: number;
  /** The applier snapshots its state every this many applied entries. */
  readonly snapshotEveryEntries: number;
  /** Entries kept before the snapshot index when compacting. */
  readonly compactionTailEntries: number;
}

export interface WorkloadOptions {
  readonly clientCount: number;
  readonly keysPerGroup: number;
  readonly putWeight: number;
  readonly getWeight: number;
  readonly casWeight: number;
  readonly thinkTicksMax: number;
  readonly requestTimeoutTicks: number;
  readonly attemptsMax: number;
  /** One-way delay between clients and nodes (a reliable channel, lost only when the node is down). */
  readonly clientDelayTicks: number;
}

export interface SimOptions {
  readonly seed: number;
  readonly preset: PresetName;
  readonly nodeCount: number;
  readonly groupCount: number;
  readonly replicasPerGroup: number;
  readonly safetyTicks: number;
  readonly livenessTicksMax: number;
  readonly network: NetworkOptions;
  readonly disk: DiskOptions;
  readonly faults: FaultOptions;
  readonly raft: RaftOptions;
  readonly workload: WorkloadOptions;
}

/** Derives every option of a run from its seed. */
export function deriveOptions(seed: number, preset: PresetName = 'default'): SimOptions {
  const random = stream(seed, 'options');
  return preset === 'lite' ? deriveLite(seed, random) : deriveSwarm(seed, random);
}

function deriveSwarm(seed: number, random: SimRandom): SimOptions {
  const nodeCount = random.pick([1, 3, 3, 4, 5, 5, 7]);
  const replicaChoices = nodeCount >= 5 ? [3, 5] : [Math.min(3, nodeCount)];
  const replicasPerGroup = random.pick(replicaChoices);
  const delayMinTicks = random.intInclusive(0, 2);
  const delayMeanTicks = delayMinTicks + random.intInclusive(0, 4);
  const syncDelayMinTicks = random.intInclusive(0, 1);
  const syncDelayMeanTicks = random.intInclusive(1, 4);
  // Raft needs broadcast time ≪ election timeout (paper §5.6): a round trip costs two one-way delays plus a
  // sync, so the election timeout grows with them; otherwise CheckQuorum deposes every leader and the healed
  // cluster can never be live.
  const electionTicks = random.intInclusive(8, 16) + 3 * delayMeanTicks + 2 * syncDelayMeanTicks;
  const faultsOn = (probability: number): boolean => random.chance(probability);
  const crashOn = faultsOn(0.6);
  const pauseOn = faultsOn(0.4);
  const partitionMode: PartitionMode = random.pick(['none', 'isolateSingle', 'uniformSize', 'uniformPartition']);
  return {
    seed,
    preset: 'default',
    nodeCount,
    groupCount: random.intInclusive(1, 4),
    replicasPerGroup,
    safetyTicks: random.intInclusive(1000, 3000),
    livenessTicksMax: 1500,
    network: {
      delayMinTicks,
      delayMeanTicks,
      lossProbability: faultsOn(0.6) ? random.intInclusive(0, 30) / 100 : 0,
      duplicateProbability: faultsOn(0.5) ? random.intInclusive(0, 50) / 100 : 0,
      partitionMode,
      partitionAsymmetric: random.chance(0.5),
      partitionProbability: random.intInclusive(1, 20) / 1000,
      unpartitionProbability: random.intInclusive(5, 50) / 1000,
      partitionStabilityTicks: random.intInclusive(20, 200),
      unpartitionStabilityTicks: random.intInclusive(20, 200),
      snapshotChunkBytes: random.pick([64, 128, 256, 512, 1024, 4096]),
      snapshotTransferTicksMax: random.intInclusive(4, 8) * electionTicks,
      snapshotRetransmitTicks: random.intInclusive(3, 10),
    },
    disk: {
      syncDelayMinTicks,
      syncDelayMeanTicks,
      unsyncedLossFraction: random.chance(0.5) ? 1 : random.intInclusive(80, 100) / 100,
    },
    faults: {
      crashProbability: crashOn ? random.intInclusive(1, 10) / 1000 : 0,
      crashStabilityTicks: random.intInclusive(20, 150),
      restartDelayTicksMin: 1,
      restartDelayTicksMax: random.intInclusive(5, 200),
      pauseProbability: pauseOn ? random.intInclusive(1, 10) / 1000 : 0,
      pauseTicksMin: 1,
      pauseTicksMax: random.intInclusive(electionTicks, 6 * electionTicks),
      membershipProbability: faultsOn(0.5) ? random.intInclusive(1, 20) / 1000 : 0,
      leaderTransferProbability: faultsOn(0.5) ? random.intInclusive(1, 20) / 1000 : 0,
      nodeCountMax: nodeCount + random.intInclusive(0, 2),
    },
    raft: {
      electionTicks,
      heartbeatTicks: random.intInclusive(1, 3),
      maxSizePerMsgBytes: random.pick([64, 256, 1024, 64 * 1024]),
      maxInflightMsgs: random.pick([1, 2, 4, 16, 256]),
      snapshotEveryEntries: random.pick([5, 10, 20, 50, 100]),
      compactionTailEntries: random.intInclusive(0, 10),
    },
    workload: deriveWorkload(random, electionTicks),
  };
}

function deriveWorkload(random: SimRandom, electionTicks: number): WorkloadOptions {
  return {
    clientCount: random.intInclusive(1, 4),
    keysPerGroup: random.intInclusive(1, 3),
    putWeight: random.intInclusive(1, 5),
    getWeight: random.intInclusive(1, 5),
    casWeight: random.intInclusive(0, 5),
    thinkTicksMax: random.intInclusive(0, 10),
    requestTimeoutTicks: random.intInclusive(2, 5) * electionTicks,
    attemptsMax: random.intInclusive(1, 4),
    clientDelayTicks: random.intInclusive(0, 2),
  };
}

function deriveLite(seed: number, random: SimRandom): SimOptions {
  const electionTicks = 10;
  return {
    seed,
    preset: 'lite',
    nodeCount: 3,
    groupCount: 1,
    replicasPerGroup: 3,
    safetyTicks: 1500,
    livenessTicksMax: 1000,
    network: {
      delayMinTicks: 0,
      delayMeanTicks: 1,
      lossProbability: 0.02,
      duplicateProbability: 0.02,
      partitionMode: 'isolateSingle',
      partitionAsymmetric: false,
      partitionProbability: 0.002,
      unpartitionProbability: 0.02,
      partitionStabilityTicks: 100,
      unpartitionStabilityTicks: 50,
      snapshotChunkBytes: 1024,
      snapshotTransferTicksMax: 6 * electionTicks,
      snapshotRetransmitTicks: 5,
    },
    disk: { syncDelayMinTicks: 0, syncDelayMeanTicks: 1, unsyncedLossFraction: 1 },
    faults: {
      crashProbability: 0.002,
      crashStabilityTicks: 100,
      restartDelayTicksMin: 5,
      restartDelayTicksMax: 50,
      pauseProbability: 0,
      pauseTicksMin: 1,
      pauseTicksMax: 1,
      membershipProbability: 0,
      leaderTransferProbability: 0.002,
      nodeCountMax: 3,
    },
    raft: {
      electionTicks,
      heartbeatTicks: 1,
      maxSizePerMsgBytes: 1024,
      maxInflightMsgs: 16,
      snapshotEveryEntries: 20,
      compactionTailEntries: 5,
    },
    workload: deriveWorkload(random, electionTicks),
  };
}

/** The options as a few grep-friendly `key=value` lines, printed before a run. */
export function formatOptions(options: SimOptions): string[] {
  const flat = (prefix: string, record: object): string =>
    Object.entries(record)
      .map(([key, value]) => `${prefix}${key}=${String(value)}`)
      .join(' ');
  return [
    `SEED=${options.seed} preset=${options.preset} nodes=${options.nodeCount} groups=${options.groupCount} ` +
      `replicas=${options.replicasPerGroup} safetyTicks=${options.safetyTicks} livenessTicksMax=${options.livenessTicksMax}`,
    flat('net.', options.network),
    `${flat('disk.', options.disk)} ${flat('raft.', options.raft)}`,
    flat('fault.', options.faults),
    flat('load.', options.workload),
  ];
}

/** Returns a copy of `options` with some fields replaced (scenario tests and fast-check overrides). */
export function withOptions(
  options: SimOptions,
  overrides: {
    [K in keyof SimOptions]?: SimOptions[K] extends object ? Partial<SimOptions[K]> : SimOptions[K];
  }
): SimOptions {
  return {
    ...options,
    ...overrides,
    network: { ...options.network, ...overrides.network },
    disk: { ...options.disk, ...overrides.disk },
    faults: { ...options.faults, ...overrides.faults },
    raft: { ...options.raft, ...overrides.raft },
    workload: { ...options.workload, ...overrides.workload },
  } as SimOptions;
}
