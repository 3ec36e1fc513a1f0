/**
 * `add-nodes <n> [voters=(1,2,3)] [learners=(4)] [index=<i>] [prevote=true] [checkquorum=true]
 *  [read-only=safe|lease] [max-inflight=<msgs>] [max-inflight-bytes=<b>] [max-size-per-msg=<b>]
 *  [max-committed-size-per-ready=<b>] [max-uncommitted-bytes=<b>]`
 *
 * Creates n nodes with the next ids. With `index`, each starts from a snapshot at (index, term 1) holding the
 * configuration, as etcd's `add-nodes` does (and `applied = index`); without it, from an empty log with the
 * configuration as its initial state (an empty one for a node that will learn it from a snapshot).
 * Defaults follow etcd's interaction stub rather than Cairn's production defaults: election 3 ticks,
 * heartbeat 1 tick, no PreVote, no CheckQuorum, no size limits; inflight messages 256.
 */
import type { RaftConfigInput, ReadOnlyOption } from '../../../../src/raft/core/config.js';
import { SeededRandom } from '../../../../src/raft/core/random.js';
import { RawNode } from '../../../../src/raft/core/rawNode.js';
import type { ConfState, Snapshot } from '../../../../src/raft/core/types.js';
import { EMPTY_BYTES } from '../../../../src/raft/core/types.js';
import type { TestCommand } from '../../../support/datadriven.js';
import { boolArgOr, intArg, rejectUnknownKeys } from '../args.js';
import type { EnvNode, InteractionEnv } from '../env.js';
import { InteractionStorage } from '../storage.js';
import { snapshotOfState } from './processReady.js';

const ELECTION_TICKS = 3;
const HEARTBEAT_TICKS = 1;
const UNLIMITED_BYTES = Number.MAX_SAFE_INTEGER;

const KNOWN_KEYS = [
  'voters',
  'learners',
  'index',
  'prevote',
  'checkquorum',
  'read-only',
  'max-inflight',
  'max-inflight-bytes',
  'max-size-per-msg',
  'max-committed-size-per-ready',
  'max-uncommitted-bytes',
];

function readOnlyOption(command: TestCommand): ReadOnlyOption {
  const value = command.scanArgOr('read-only', 'safe');
  if (value === 'safe') return 'safe';
  if (value === 'lease') return 'leaseBased';
  return command.fail(`read-only must be safe or lease, got ${value}`);
}

/** The configuration shared by every node of the block, minus id, storage and randomness. */
function configTemplate(command: TestCommand, applied: number): Omit<RaftConfigInput, 'id' | 'storage' | 'random'> {
  return {
    electionTicks: ELECTION_TICKS,
    heartbeatTicks: HEARTBEAT_TICKS,
    applied,
    preVote: boolArgOr(command, 'prevote', false),
    checkQuorum: boolArgOr(command, 'checkquorum', false),
    readOnlyOption: readOnlyOption(command),
    maxInflightMsgs: command.scanIntOr('max-inflight', 256),
    maxInflightBytes: command.scanIntOr('max-inflight-bytes', 0),
    maxSizePerMsgBytes: command.scanIntOr('max-size-per-msg', UNLIMITED_BYTES),
    maxCommittedSizePerReadyBytes: command.scanIntOr('max-committed-size-per-ready', UNLIMITED_BYTES),
    maxUncommittedEntriesBytes: command.scanIntOr('max-uncommitted-bytes', 0),
  };
}

export function handleAddNodes(env: InteractionEnv, command: TestCommand): void {
  rejectUnknownKeys(command, KNOWN_KEYS);
  const count = intArg(command, 0, 'node count');
  const confState: ConfState = {
    voters: command.hasArg('voters') ? command.scanInts('voters') : [],
    learners: command.hasArg('learners') ? command.scanInts('learners') : [],
  };
  const index = command.scanIntOr('index', 0);
  const term = index > 0 ? 1 : 0;
  const template = configTemplate(command, index);
  for (let created = 0; created < count; created++) {
    const id = env.nodes.length + 1;
    const snapshot: Snapshot = { metadata: { index, term, confState }, data: EMPTY_BYTES };
    const storage = index > 0 ? new InteractionStorage({ snapshot }) : new InteractionStorage({ confState });
    // Each node draws its election timeouts from its own stream, seeded by its id: scripts are reproducible.
    const rawNode = new RawNode({ ...template, id, storage, random: new SeededRandom(id) });
    const node: EnvNode = {
      id,
      rawNode,
      storage,
      electionTicks: ELECTION_TICKS,
      heartbeatTicks: HEARTBEAT_TICKS,
      history: [{ index, term, confState, data: '' }],
    };
    storage.appliedSnapshot = () => snapshotOfState(env.currentState(node));
    env.nodes.push(node);
  }
}
