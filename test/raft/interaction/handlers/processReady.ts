/**
 * `process-ready <id>...`: runs one driver cycle on each node: prints its Ready, persists snapshot, entries and
 * hard state to its MemoryRaftStorage, queues `messages` and `messagesAfterPersist` (the persist is already
 * durable here), applies the snapshot and committed entries (conf changes go to `applyConfChange`), then
 * calls `advance()`. With several ids each node's output is indented under `> n handling Ready`.
 */
import { decodeConfChange } from '../../../../src/raft/core/confChange.js';
import type { Entry, MessageType, Ready, Snapshot } from '../../../../src/raft/core/types.js';
import type { TestCommand } from '../../../support/datadriven.js';
import { nodeIdArgs } from '../args.js';
import { describeConfChange, describeConfState, describeReady } from '../describe.js';
import type { AppliedState, EnvNode, InteractionEnv } from '../env.js';
import { InteractionEnvError } from '../env.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The state after applying `entry` to `state` (etcd's appender state machine). */
function applyEntry(env: InteractionEnv, node: EnvNode, state: AppliedState, entry: Entry): AppliedState {
  if (entry.index !== state.index + 1) {
    throw new InteractionEnvError(`node ${node.id} applies ${entry.index} after ${state.index}: a gap or a replay`);
  }
  if (entry.kind === 'confChange') {
    const change = decodeConfChange(entry.data);
    const confState = node.rawNode.applyConfChange(change);
    env.output.line(`applied ${describeConfChange(change)}: ${describeConfState(confState)}`);
    return { index: entry.index, term: entry.term, confState, data: state.data };
  }
  const text = decoder.decode(entry.data);
  const data = text === '' ? state.data : state.data === '' ? text : `${state.data},${text}`;
  return { index: entry.index, term: entry.term, confState: state.confState, data };
}

function stateOfSnapshot(snapshot: Snapshot): AppliedState {
  const { index, term, confState } = snapshot.metadata;
  return { index, term, confState, data: decoder.decode(snapshot.data) };
}

/** Requests a follower forwards to its leader keep their original sender, as in etcd-raft. */
const FORWARDED_TYPES: ReadonlySet<MessageType> = new Set(['prop', 'readIndex', 'transferLeader']);

/**
 * The checks a driver can make on every Ready; a violation is a core bug, so it throws. A forwarded request
 * with sender 0 is printed rather than refused, so that a script can show where it goes.
 */
function checkReady(node: EnvNode, ready: Ready): void {
  for (const message of [...ready.messages, ...ready.messagesAfterPersist]) {
    const senderOk = message.from === node.id || FORWARDED_TYPES.has(message.type);
    if (message.to === node.id || !senderOk) {
      throw new InteractionEnvError(`node ${node.id} emitted ${message.type} ${message.from}->${message.to}`);
    }
  }
}

/** One driver cycle on node `id`: print, persist, send, apply, advance. */
export function processReady(env: InteractionEnv, id: number): void {
  const node = env.node(id);
  if (!node.rawNode.hasReady()) {
    env.output.line('<empty Ready>');
    return;
  }
  const ready = node.rawNode.ready();
  checkReady(node, ready);
  env.output.block(describeReady(ready));
  node.storage.applyPersisted({ snapshot: ready.snapshot, entries: ready.entries, hardState: ready.hardState });
  env.messages.push(...ready.messages, ...ready.messagesAfterPersist);
  let state = env.currentState(node);
  if (ready.snapshot !== null) {
    state = stateOfSnapshot(ready.snapshot);
    node.history.push(state);
  }
  for (const entry of ready.committedEntries) {
    state = applyEntry(env, node, state, entry);
    node.history.push(state);
  }
  node.rawNode.advance();
}

/** The bytes a snapshot of `state` carries. */
export function snapshotData(state: AppliedState): Uint8Array {
  return encoder.encode(state.data);
}

/** A snapshot of the application as of `state`. */
export function snapshotOfState(state: AppliedState): Snapshot {
  return { metadata: { index: state.index, term: state.term, confState: state.confState }, data: snapshotData(state) };
}

export function handleProcessReady(env: InteractionEnv, command: TestCommand): void {
  const ids = nodeIdArgs(command);
  if (ids.length === 0) command.fail('needs at least one node id');
  for (const id of ids) {
    if (ids.length === 1) {
      processReady(env, id);
      continue;
    }
    env.output.line(`> ${id} handling Ready`);
    env.output.withIndent(() => processReady(env, id));
  }
}
