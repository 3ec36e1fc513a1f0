/**
 * Simulated clients. Each runs one op at a time against one group: put, get or cas on a few keys, sent to the
 * node it believes leads the group. A redirect goes to the hinted leader (or the next replica); a timeout
 * retries the same op (same session id, so the state machine applies it at most once) on another replica;
 * when attempts run out the op ends `info`. Every op is recorded in the Jepsen-style history.
 */
import type { ClientRequest, ClientResponse } from './clientProtocol.js';
import type { EventQueue } from './eventQueue.js';
import type { History, KvOp } from './history.js';
import type { WorkloadOptions } from './options.js';
import type { SimRandom } from './prng.js';

/** How clients reach the cluster. */
export interface ClientWorld {
  readonly queue: EventQueue;
  readonly history: History;
  readonly random: SimRandom;
  readonly options: WorkloadOptions;
  readonly groupCount: number;
  /** Nodes hosting a replica of the group, ascending. */
  hostsOf(groupId: number): number[];
  /** Delivers a request to a node after the client delay (lost if the node is down). */
  sendRequest(nodeId: number, request: ClientRequest): void;
  trace(clientId: number, text: string): void;
}

interface InFlight {
  readonly op: KvOp;
  readonly opSeq: number;
  readonly groupId: number;
  /** Attempts that timed out or were sent (each may have been proposed). */
  attempts: number;
  /** Redirect hops, bounded so a leaderless group ends the op instead of looping. */
  hops: number;
  /** True once an attempt may have been proposed (it timed out): the op can no longer end `fail`. */
  maybeApplied: boolean;
  target: number;
  /** Invalidates the timeout of an earlier attempt. */
  attemptToken: number;
}

const HOPS_MAX = 12;
const REDIRECT_BACKOFF_TICKS = 2;

export class SimClient {
  private opSeqNext = 1;
  private inFlight: InFlight | null = null;
  private idleUntilTicks = 0;
  private readonly believedLeader = new Map<number, number>();
  private valueNext: number;
  /** Ops this client completed with `ok`. */
  okCount = 0;

  constructor(
    readonly id: number,
    private readonly world: ClientWorld
  ) {
    this.valueNext = id * 1_000_000;
  }

  get busy(): boolean {
    return this.inFlight !== null;
  }

  /** Called every tick while the workload runs: starts a new op when idle and done thinking. */
  maybeStart(): void {
    if (this.inFlight !== null || this.world.queue.nowTicks < this.idleUntilTicks) return;
    const random = this.world.random;
    const groupId = random.intInclusive(0, this.world.groupCount - 1);
    const key = `g${groupId}k${random.intInclusive(0, this.world.options.keysPerGroup - 1)}`;
    const { putWeight, getWeight, casWeight } = this.world.options;
    const kind = random.weighted({ put: putWeight, get: getWeight, cas: casWeight });
    let op: KvOp;
    if (kind === 'get') op = { kind, key };
    else if (kind === 'put') op = { kind, key, value: this.valueNext++ };
    else op = { kind, key, expected: random.chance(0.2) ? null : this.recentValue(key), value: this.valueNext++ };
    const hosts = this.world.hostsOf(groupId);
    if (hosts.length === 0) return;
    const target = this.believedLeader.get(groupId) ?? random.pick(hosts);
    this.inFlight = {
      op,
      opSeq: this.opSeqNext++,
      groupId,
      attempts: 0,
      hops: 0,
      maybeApplied: false,
      target,
      attemptToken: 0,
    };
    this.world.history.record({
      type: 'invoke',
      clientId: this.id,
      opSeq: this.inFlight.opSeq,
      op,
      output: null,
      timeTicks: this.world.queue.nowTicks,
    });
    this.send();
  }

  /** A value some client wrote to `key` recently, so cas has a fair chance to swap. */
  private recentValue(key: string): number | null {
    const events = this.world.history.events;
    for (let i = events.length - 1; i >= 0 && i >= events.length - 50; i--) {
      const event = events[i];
      if (event === undefined || event.op.key !== key) continue;
      if (event.type === 'ok' && event.output?.kind === 'get') return event.output.value;
      if (event.op.kind !== 'get' && event.type === 'invoke') return event.op.value;
    }
    return null;
  }

  private send(): void {
    const flight = this.inFlight;
    if (flight === null) return;
    flight.attempts++;
    const token = ++flight.attemptToken;
    const request: ClientRequest =
      flight.op.kind === 'get'
        ? {
            kind: 'read',
            groupId: flight.groupId,
            clientId: this.id,
            opSeq: flight.opSeq,
            key: flight.op.key,
            attempt: token,
          }
        : {
            kind: 'write',
            groupId: flight.groupId,
            clientId: this.id,
            opSeq: flight.opSeq,
            key: flight.op.key,
            value: flight.op.value,
            cas: flight.op.kind === 'cas' ? { expected: flight.op.expected } : null,
          };
    this.world.sendRequest(flight.target, request);
    this.world.queue.schedule(this.world.options.requestTimeoutTicks, `c${this.id} timeout`, () =>
      this.onTimeout(flight, token)
    );
  }

  private onTimeout(flight: InFlight, token: number): void {
    // Tokens count attempts within one op: the op must match too, or an old op's timer would fire on a new op.
    if (this.inFlight !== flight || flight.attemptToken !== token) return;
    flight.maybeApplied = flight.maybeApplied || flight.op.kind !== 'get';
    this.believedLeader.delete(flight.groupId);
    if (flight.attempts >= this.world.options.attemptsMax) return this.finish('info', null);
    this.world.trace(this.id, `timeout op ${flight.opSeq} on n${flight.target}; retry elsewhere`);
    flight.target = this.nextHost(flight.groupId, flight.target);
    this.send();
  }

  /** A node answered. Answers for earlier ops or superseded attempts are ignored. */
  onResponse(from: number, response: ClientResponse): void {
    const flight = this.inFlight;
    if (flight === null || response.opSeq !== flight.opSeq) return;
    if (response.kind === 'ok') {
      this.believedLeader.set(flight.groupId, from);
      return this.finish('ok', response.output);
    }
    if (from !== flight.target) return;
    flight.attemptToken++; // the outstanding timeout no longer applies
    flight.attempts--; // a redirect proves this attempt was not proposed
    if (++flight.hops > HOPS_MAX) return this.finish(flight.maybeApplied ? 'info' : 'fail', null);
    const hint = response.leaderHint;
    const hosts = this.world.hostsOf(flight.groupId);
    flight.target = hint !== 0 && hint !== from && hosts.includes(hint) ? hint : this.nextHost(flight.groupId, from);
    this.world.queue.schedule(REDIRECT_BACKOFF_TICKS, `c${this.id} redirect`, () => {
      if (this.inFlight === flight) this.send();
    });
  }

  private nextHost(groupId: number, after: number): number {
    const hosts = this.world.hostsOf(groupId);
    if (hosts.length === 0) return after;
    const next = hosts.find((id) => id > after);
    return next ?? (hosts[0] as number);
  }

  private finish(type: 'ok' | 'fail' | 'info', output: Parameters<History['record']>[0]['output']): void {
    const flight = this.inFlight;
    if (flight === null) return;
    this.inFlight = null;
    if (type === 'ok') this.okCount++;
    this.world.history.record({
      type,
      clientId: this.id,
      opSeq: flight.opSeq,
      op: flight.op,
      output,
      timeTicks: this.world.queue.nowTicks,
    });
    this.idleUntilTicks =
      this.world.queue.nowTicks + this.world.random.intInclusive(0, this.world.options.thinkTicksMax);
  }

  /** At the end of the run: an op still open is recorded `info` (it may or may not have happened). */
  abandon(): void {
    if (this.inFlight !== null) this.finish('info', null);
  }
}
