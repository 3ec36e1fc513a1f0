/**
 * The simulated network between nodes: every packet is a scheduled event. Per packet it draws a one-way delay
 * (minimum plus an exponential tail, so packets overtake each other: reordering comes from jitter), loss and
 * duplication; partitions cut directed links, symmetric or one-way, in the shapes of VOPR's partition modes.
 * Partitions start and heal from the fault stream with probabilities and stability times.
 */
import type { Message } from '../../src/raft/core/types.js';
import type { EventQueue } from './eventQueue.js';
import type { NetworkOptions, PartitionMode } from './options.js';
import type { SimRandom } from './prng.js';
import type { SnapshotChunk, SnapshotChunkAck } from '../../src/raft/transport/snapshotTransfer.js';

/** What travels between nodes. */
export type Packet =
  | { readonly kind: 'raft'; readonly groupId: number; readonly message: Message }
  | { readonly kind: 'chunk'; readonly groupId: number; readonly chunk: SnapshotChunk }
  | { readonly kind: 'chunkAck'; readonly groupId: number; readonly ack: SnapshotChunkAck };

export type PacketHandler = (from: number, packet: Packet) => void;

export interface NetworkCounters {
  sent: number;
  delivered: number;
  lost: number;
  cut: number;
  duplicated: number;
}

export class SimNetwork {
  private readonly handlers = new Map<number, PacketHandler>();
  /** Directed links `from>to` that currently drop everything. */
  private readonly cutLinks = new Set<string>();
  private lossProbability: number;
  private duplicateProbability: number;
  private partitionsEnabled = true;
  private partitionChangedTicks = 0;
  /** A description of the current partition for the trace, or null when whole. */
  partitionLabel: string | null = null;
  readonly counters: NetworkCounters = { sent: 0, delivered: 0, lost: 0, cut: 0, duplicated: 0 };

  constructor(
    private readonly queue: EventQueue,
    private readonly random: SimRandom,
    private readonly options: NetworkOptions
  ) {
    this.lossProbability = options.lossProbability;
    this.duplicateProbability = options.duplicateProbability;
  }

  /** Registers the receive handler of a node (replaced on restart). */
  attach(nodeId: number, handler: PacketHandler): void {
    this.handlers.set(nodeId, handler);
  }

  /** True if packets from `from` currently reach `to`. */
  connected(from: number, to: number): boolean {
    return !this.cutLinks.has(`${from}>${to}`);
  }

  /** Sends one packet; it may be cut, lost, delayed, reordered or duplicated. */
  send(from: number, to: number, packet: Packet): 'sent' | 'cut' | 'lost' {
    this.counters.sent++;
    if (!this.connected(from, to)) {
      this.counters.cut++;
      return 'cut';
    }
    if (this.random.chance(this.lossProbability)) {
      this.counters.lost++;
      return 'lost';
    }
    this.scheduleDelivery(from, to, packet);
    if (this.random.chance(this.duplicateProbability)) {
      this.counters.duplicated++;
      this.scheduleDelivery(from, to, packet);
    }
    return 'sent';
  }

  private scheduleDelivery(from: number, to: number, packet: Packet): void {
    const delay = this.random.delay(this.options.delayMinTicks, this.options.delayMeanTicks);
    this.queue.schedule(delay, 'deliver', () => {
      // A partition that formed while the packet was in flight drops it on arrival.
      if (!this.connected(from, to)) {
        this.counters.cut++;
        return;
      }
      const handler = this.handlers.get(to);
      if (handler === undefined) return;
      this.counters.delivered++;
      handler(from, packet);
    });
  }

  /** Called once per tick by the fault scheduler: maybe partition or heal, respecting stability times. */
  maybeChangePartition(nodeIds: readonly number[], nowTicks: number): void {
    if (!this.partitionsEnabled || this.options.partitionMode === 'none' || nodeIds.length < 2) return;
    const quietTicks = nowTicks - this.partitionChangedTicks;
    if (this.partitionLabel === null) {
      if (quietTicks < this.options.unpartitionStabilityTicks) return;
      if (!this.random.chance(this.options.partitionProbability)) return;
      this.partition(this.options.partitionMode, nodeIds, this.options.partitionAsymmetric);
    } else {
      if (quietTicks < this.options.partitionStabilityTicks) return;
      if (!this.random.chance(this.options.unpartitionProbability)) return;
      this.heal();
    }
    this.partitionChangedTicks = nowTicks;
  }

  /** Splits `nodeIds` in two sides by `mode` and cuts the links between them (one direction if asymmetric). */
  partition(mode: Exclude<PartitionMode, 'none'>, nodeIds: readonly number[], asymmetric: boolean): void {
    const sideA = this.chooseSide(mode, nodeIds);
    const sideB = nodeIds.filter((id) => !sideA.includes(id));
    this.cutBetween(sideA, sideB, asymmetric ? 'aToB' : 'both');
    this.partitionLabel = `${mode}${asymmetric ? '/oneway' : ''} [${sideA.join(',')}]|[${sideB.join(',')}]`;
  }

  private chooseSide(mode: Exclude<PartitionMode, 'none'>, nodeIds: readonly number[]): number[] {
    const shuffled = this.random.shuffled(nodeIds);
    if (mode === 'isolateSingle') return shuffled.slice(0, 1);
    if (mode === 'uniformSize') return shuffled.slice(0, this.random.intInclusive(1, nodeIds.length - 1));
    const side = nodeIds.filter(() => this.random.chance(0.5));
    if (side.length === 0 || side.length === nodeIds.length) return shuffled.slice(0, 1);
    return side;
  }

  /** Cuts links between two node sets: both ways, or only from `sideA` to `sideB`. */
  cutBetween(sideA: readonly number[], sideB: readonly number[], direction: 'both' | 'aToB'): void {
    for (const a of sideA) {
      for (const b of sideB) {
        this.cutLinks.add(`${a}>${b}`);
        if (direction === 'both') this.cutLinks.add(`${b}>${a}`);
      }
    }
    if (this.partitionLabel === null)
      this.partitionLabel = `cut [${sideA.join(',')}]${direction === 'both' ? '|' : '>'}[${sideB.join(',')}]`;
  }

  /** Removes every cut. */
  heal(): void {
    this.cutLinks.clear();
    this.partitionLabel = null;
  }

  /** The liveness phase: no partitions, no loss, no duplication from now on. */
  healForever(): void {
    this.heal();
    this.partitionsEnabled = false;
    this.lossProbability = 0;
    this.duplicateProbability = 0;
  }

  setLossProbability(probability: number): void {
    this.lossProbability = probability;
  }
}
