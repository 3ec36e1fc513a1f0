/**
 * Membership changes, one node at a time (thesis §4.1): encoding of {@link ConfChange} entries and the
 * transitions of the configuration. A change takes effect when its entry is applied; the leader allows one
 * unapplied change at a time.
 */
import { invariant } from './errors.js';
import { Progress } from './progress.js';
import type { ProgressTracker } from './progressTracker.js';
import type { ConfChange, ConfState, NodeId } from './types.js';

/** A confChange entry's bytes could not be decoded. Raised for input the core did not produce. */
export class ConfChangeDecodeError extends Error {
  override readonly name = 'ConfChangeDecodeError';
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeConfChange(change: ConfChange): Uint8Array {
  validateConfChange(change);
  const record: Record<string, unknown> = { kind: change.kind, nodeId: change.nodeId };
  if (change.context !== undefined) record['context'] = change.context;
  return encoder.encode(JSON.stringify(record));
}

export function decodeConfChange(bytes: Uint8Array): ConfChange {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(bytes));
  } catch (error) {
    throw new ConfChangeDecodeError(`conf change is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new ConfChangeDecodeError('conf change is not an object');
  const { kind, nodeId, context } = parsed as Record<string, unknown>;
  if (kind !== 'addNode' && kind !== 'addLearner' && kind !== 'removeNode') {
    throw new ConfChangeDecodeError(`unknown conf change kind ${String(kind)}`);
  }
  if (typeof nodeId !== 'number' || !Number.isSafeInteger(nodeId) || nodeId <= 0) {
    throw new ConfChangeDecodeError(`conf change nodeId must be a positive integer, got ${String(nodeId)}`);
  }
  if (context !== undefined && typeof context !== 'string') {
    throw new ConfChangeDecodeError('conf change context must be a string');
  }
  return context === undefined ? { kind, nodeId } : { kind, nodeId, context };
}

function validateConfChange(change: ConfChange): void {
  invariant(
    Number.isSafeInteger(change.nodeId) && change.nodeId > 0,
    () => `conf change nodeId must be positive, got ${change.nodeId}`
  );
}

/**
 * Why `change` cannot apply to the configuration, or undefined if it can. A change that would leave no voter
 * is refused: applying it would make the group unable to ever commit again.
 */
export function confChangeRefusal(tracker: ProgressTracker, change: ConfChange): string | undefined {
  if (change.kind === 'removeNode' && tracker.voters.length === 1 && tracker.voters[0] === change.nodeId) {
    return `removing ${change.nodeId} would leave no voters`;
  }
  if (change.kind === 'addLearner' && tracker.voters.length === 1 && tracker.voters[0] === change.nodeId) {
    return `demoting ${change.nodeId} would leave no voters`;
  }
  return undefined;
}

/**
 * Applies one change to the tracker in place. Refused changes (see {@link confChangeRefusal}) are no-ops on
 * every replica alike, so replicas stay identical. `lastIndex` initializes a new member's progress.
 */
export function applyConfChangeToTracker(tracker: ProgressTracker, change: ConfChange, lastIndex: number): void {
  if (confChangeRefusal(tracker, change) !== undefined) return;
  const id = change.nodeId;
  switch (change.kind) {
    case 'addNode':
      tracker.learners = tracker.learners.filter((member) => member !== id);
      if (!tracker.voters.includes(id)) tracker.voters = sortedWith(tracker.voters, id);
      ensureProgress(tracker, id, false, lastIndex);
      break;
    case 'addLearner':
      tracker.voters = tracker.voters.filter((member) => member !== id);
      if (!tracker.learners.includes(id)) tracker.learners = sortedWith(tracker.learners, id);
      ensureProgress(tracker, id, true, lastIndex);
      break;
    case 'removeNode':
      tracker.voters = tracker.voters.filter((member) => member !== id);
      tracker.learners = tracker.learners.filter((member) => member !== id);
      tracker.progress.delete(id);
      tracker.votes.delete(id);
      break;
    default: {
      const exhaustive: never = change.kind;
      throw new Error(`unknown conf change kind ${String(exhaustive)}`);
    }
  }
  tracker.assertValid();
}

/** Replaces the tracker's configuration with `confState` (after a snapshot or on restart). */
export function restoreConfState(tracker: ProgressTracker, confState: ConfState, lastIndex: number): void {
  tracker.voters = [...confState.voters].sort((a, b) => a - b);
  tracker.learners = [...confState.learners].sort((a, b) => a - b);
  tracker.progress = new Map();
  tracker.votes = new Map();
  for (const id of tracker.voters) ensureProgress(tracker, id, false, lastIndex);
  for (const id of tracker.learners) ensureProgress(tracker, id, true, lastIndex);
  tracker.assertValid();
}

function ensureProgress(tracker: ProgressTracker, id: NodeId, isLearner: boolean, lastIndex: number): void {
  const existing = tracker.progress.get(id);
  if (existing !== undefined) {
    existing.isLearner = isLearner;
    return;
  }
  // Start probing at the last index (etcd): the follower's real position is learned from its reply.
  // Marked recently active so that CheckQuorum does not depose the leader before the node has had a chance
  // to answer.
  const progress = new Progress(Math.max(lastIndex, 1), tracker.maxInflightMsgs, tracker.maxInflightBytes, isLearner);
  progress.recentActive = true;
  tracker.progress.set(id, progress);
}

function sortedWith(ids: readonly NodeId[], id: NodeId): NodeId[] {
  return [...ids, id].sort((a, b) => a - b);
}
