/**
 * Workflow → shard routing (ARCHITECTURE.md §2): `shard = fnv1a32(utf8(namespace + "\0" + workflowId)) mod shards`.
 * FNV-1a 32 (offset basis 0x811c9dc5, prime 0x01000193) is stable across versions, platforms and languages, and
 * the NUL separator keeps ("ab", "c") and ("a", "bc") apart. Changing this function moves every workflow.
 */
import { invariant } from '../raft/core/errors.js';

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const utf8 = new TextEncoder();

/** FNV-1a 32 of `bytes`, as an unsigned 32-bit integer. */
export function fnv1a32(bytes: Uint8Array): number {
  let hash = FNV_OFFSET_BASIS;
  for (const byte of bytes) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0;
}

/** The shard (0-based) of workflow `workflowId` in `namespace`, in a cluster of `shards` shards. */
export function shardOf(namespace: string, workflowId: string, shards: number): number {
  invariant(
    Number.isSafeInteger(shards) && shards > 0,
    () => `shardOf: shards must be a positive integer, got ${shards}`
  );
  return fnv1a32(utf8.encode(`${namespace}\0${workflowId}`)) % shards;
}
