/**
 * What simulated clients and nodes say to each other. Writes carry the client's session (clientId, opSeq) so
 * that a retry of the same op is applied at most once; reads carry a unique context for ReadIndex.
 */
import type { KvOutput } from './history.js';

export type ClientRequest =
  | {
      readonly kind: 'write';
      readonly groupId: number;
      readonly clientId: number;
      readonly opSeq: number;
      readonly key: string;
      readonly value: number;
      /** Present for cas: the value the key must hold (null = absent). */
      readonly cas: { readonly expected: number | null } | null;
    }
  | {
      readonly kind: 'read';
      readonly groupId: number;
      readonly clientId: number;
      readonly opSeq: number;
      readonly key: string;
      /** Distinguishes attempts of one op, so a late ReadState of an old attempt cannot answer a new one. */
      readonly attempt: number;
    };

export type ClientResponse =
  | { readonly kind: 'ok'; readonly clientId: number; readonly opSeq: number; readonly output: KvOutput }
  /** Not proposed: this node is not the leader (hint may be 0) or the proposal was dropped. */
  | { readonly kind: 'redirect'; readonly clientId: number; readonly opSeq: number; readonly leaderHint: number };
