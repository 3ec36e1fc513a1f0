/**
 * Compact, stable text for Raft data in golden scripts, modeled on etcd-raft's `DescribeReady`,
 * `DescribeMessage` and `DescribeEntry` (util.go), with Cairn's message type names:
 *
 *   1->2 app Term:1 Log:1/10 Commit:10 Entries:[1/11 EntryNormal "foo"]
 *
 * Node ids print in decimal; entry data prints as a JSON string; conf changes print as etcd's `v3` (add voter),
 * `l3` (add learner), `r3` (remove). Cairn's heartbeats carry the leader's tick in `index` (the clock of lease
 * reads), so they print as `Log:0/<tick>` where etcd's print `Log:0/0`.
 */
import { decodeReadRound } from '../../../src/raft/core/readOnly.js';
import { ConfChangeDecodeError, decodeConfChange } from '../../../src/raft/core/confChange.js';
import type {
  ConfChange,
  ConfState,
  Entry,
  HardState,
  Message,
  Ready,
  ReadState,
  Snapshot,
  SoftState,
} from '../../../src/raft/core/types.js';

const decoder = new TextDecoder();

/** Bytes as a quoted string, as Go's `%q` does for printable data. */
export function quoteBytes(bytes: Uint8Array): string {
  return JSON.stringify(decoder.decode(bytes));
}

export function describeConfChange(change: ConfChange): string {
  const letter = change.kind === 'addNode' ? 'v' : change.kind === 'addLearner' ? 'l' : 'r';
  return `${letter}${change.nodeId}`;
}

export function describeEntry(entry: Entry): string {
  if (entry.kind === 'normal') return `${entry.term}/${entry.index} EntryNormal ${quoteBytes(entry.data)}`;
  let formatted: string;
  try {
    formatted = describeConfChange(decodeConfChange(entry.data));
  } catch (error) {
    if (!(error instanceof ConfChangeDecodeError)) throw error;
    formatted = error.message;
  }
  return `${entry.term}/${entry.index} EntryConfChange ${formatted}`;
}

export function describeEntries(entries: readonly Entry[]): string {
  return entries.map((entry) => `${describeEntry(entry)}\n`).join('');
}

export function describeConfState(confState: ConfState): string {
  return `Voters:[${confState.voters.join(' ')}] Learners:[${confState.learners.join(' ')}]`;
}

export function describeSnapshot(snapshot: Snapshot): string {
  const { index, term, confState } = snapshot.metadata;
  const data = snapshot.data.byteLength > 0 ? ` Data:${quoteBytes(snapshot.data)}` : '';
  return `Index:${index} Term:${term} ConfState:${describeConfState(confState)}${data}`;
}

export function describeHardState(hardState: HardState): string {
  const vote = hardState.vote !== 0 ? ` Vote:${hardState.vote}` : '';
  return `Term:${hardState.term}${vote} Commit:${hardState.commit}`;
}

export function describeSoftState(softState: SoftState): string {
  return `Lead:${softState.leader} State:${softState.role}`;
}

export function describeReadState(readState: ReadState): string {
  return `Index:${readState.index} Context:${quoteBytes(readState.requestContext)}`;
}

/** Heartbeats carry the leader's read round (term/round); other messages carry client bytes. */
function describeContext(message: Message): string {
  if (message.type === 'heartbeat' || message.type === 'heartbeatResp') {
    const round = decodeReadRound(message.context);
    if (round !== undefined) return `round(${round.term}/${round.round})`;
  }
  return quoteBytes(message.context);
}

/** One message; continuation lines (several entries, a snapshot) are indented by `indent`. */
export function describeMessage(message: Message, indent = ''): string {
  let text = `${message.from}->${message.to} ${message.type} Term:${message.term} Log:${message.logTerm}/${message.index}`;
  if (message.reject) text += ` Rejected (Hint: ${message.rejectHint})`;
  if (message.commit !== 0) text += ` Commit:${message.commit}`;
  if (message.context.byteLength > 0) text += ` Context:${describeContext(message)}`;
  const [onlyEntry] = message.entries;
  if (message.entries.length === 1 && onlyEntry !== undefined) {
    text += ` Entries:[${describeEntry(onlyEntry)}]`;
  } else if (message.entries.length > 1) {
    text += ' Entries:[';
    for (const entry of message.entries) text += `\n${indent}  ${describeEntry(entry)}`;
    text += `\n${indent}]`;
  }
  if (message.snapshot !== null) text += `\n${indent}  Snapshot: ${describeSnapshot(message.snapshot)}`;
  return text;
}

/** A whole Ready in the driver's order, or `<empty Ready>`. */
export function describeReady(ready: Ready): string {
  const lines: string[] = [];
  if (ready.softState !== null) lines.push(describeSoftState(ready.softState));
  if (ready.hardState !== null) lines.push(`HardState ${describeHardState(ready.hardState)}`);
  for (const readState of ready.readStates) lines.push(`ReadState ${describeReadState(readState)}`);
  if (ready.entries.length > 0) lines.push('Entries:', ...ready.entries.map(describeEntry));
  if (ready.snapshot !== null) lines.push(`Snapshot ${describeSnapshot(ready.snapshot)}`);
  if (ready.committedEntries.length > 0) lines.push('CommittedEntries:', ...ready.committedEntries.map(describeEntry));
  if (ready.messages.length > 0) lines.push('Messages:', ...ready.messages.map((message) => describeMessage(message)));
  if (ready.messagesAfterPersist.length > 0) {
    lines.push('MessagesAfterPersist:', ...ready.messagesAfterPersist.map((message) => describeMessage(message)));
  }
  if (lines.length === 0) return '<empty Ready>';
  return `Ready MustSync=${ready.mustSync}:\n${lines.join('\n')}`;
}
