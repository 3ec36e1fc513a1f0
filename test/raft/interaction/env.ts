/**
 * The interaction environment of the golden scripts, after etcd-raft's `rafttest.InteractionEnv`: a group of
 * RawNodes over MemoryRaftStorage whose messages wait in one in-flight list until a directive delivers or drops
 * them, so that a script controls every interleaving. Node ids are 1..n in the order `add-nodes` created them.
 *
 * The driver loop is synchronous (process-ready persists, applies and advances in one step), which is the order
 * Cairn's driver follows: persist → send → apply → advance.
 */
import type { ConfState, Message, NodeId } from '../../../src/raft/core/types.js';
import type { RawNode } from '../../../src/raft/core/rawNode.js';
import type { TestCommand } from '../../support/datadriven.js';
import { InteractionOutput } from './output.js';
import type { InteractionStorage } from './storage.js';

/** One directive: reads its arguments, acts on the environment, prints to `env.output`. */
export type DirectiveHandler = (env: InteractionEnv, command: TestCommand) => void;

/**
 * The application state after applying the entry at `index`: etcd's "appender" state machine, here the
 * comma-separated data of every non-empty normal entry so far. Snapshots carry `data` as their bytes.
 */
export interface AppliedState {
  readonly index: number;
  readonly term: number;
  readonly confState: ConfState;
  readonly data: string;
}

export interface EnvNode {
  readonly id: NodeId;
  readonly rawNode: RawNode;
  readonly storage: InteractionStorage;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  /** One state per applied entry or snapshot, oldest first; the last one is the current state. */
  readonly history: AppliedState[];
}

/** A script asked for something the environment cannot do (a bad node id, say): the script is wrong. */
export class InteractionEnvError extends Error {
  override readonly name = 'InteractionEnvError';
}

export class InteractionEnv {
  readonly nodes: EnvNode[] = [];
  /** Messages sent and not yet delivered or dropped, in send order. */
  messages: Message[] = [];
  readonly output = new InteractionOutput();

  node(id: NodeId): EnvNode {
    const node = this.nodes[id - 1];
    if (node === undefined) throw new InteractionEnvError(`no node ${id} (the group has ${this.nodes.length})`);
    return node;
  }

  hasNode(id: NodeId): boolean {
    return id >= 1 && id <= this.nodes.length;
  }

  /** The state the node's application is in now. */
  currentState(node: EnvNode): AppliedState {
    const state = node.history[node.history.length - 1];
    if (state === undefined) throw new InteractionEnvError(`node ${node.id} has no history`);
    return state;
  }
}
