/**
 * The transport of a single-node runtime. Every group has this node as its only voter, so Raft never has a peer
 * to message (self-acknowledgements stay inside RawNode): any message handed to it means a group has a peer this
 * runtime cannot reach, a broken invariant. Multi-node transports arrive with the peer service.
 */
import { invariant } from '../../raft/core/errors.js';
import type { Message } from '../../raft/core/types.js';
import type { RaftTransport } from '../../raft/multiRaft.js';

export class LoopbackTransport implements RaftTransport {
  send(groupId: number, messages: readonly Message[]): void {
    const first = messages[0];
    invariant(
      first === undefined,
      () => `group ${groupId}: ${first?.type} to node ${first?.to} on a single-node runtime (a group has a peer)`
    );
  }
}
