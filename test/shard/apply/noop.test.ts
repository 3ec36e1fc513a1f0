// Goal: Raft's own entries (a new leader's empty no-op, conf changes) decode to `noop` and only advance the
// applied state; an entry of an unknown format version, or a malformed one, is fail-stop at apply.
// Method: decodeCommittedEntry on hand-made Raft entries, then apply the no-op to a model.
import { describe, expect, it } from 'vitest';
import { encodeConfChange } from '../../../src/raft/core/confChange.js';
import { AssertionError } from '../../../src/raft/core/errors.js';
import { decodeCommittedEntry } from '../../../src/shard/apply/apply.js';
import { encodeShardEntry } from '../../../src/shard/apply/shardCommand.js';
import { APPLIED_STATE_KEY, decodeAppliedState } from '../../../src/shard/apply/stateLayout.js';
import { ApplyModel } from './applyHarness.js';

describe('apply: Raft no-op and conf change', () => {
  it('an empty normal entry and a conf change are noops that advance the applied state', () => {
    const empty = decodeCommittedEntry({ index: 2, term: 3, kind: 'normal', data: new Uint8Array(0) });
    const conf = decodeCommittedEntry({
      index: 3,
      term: 3,
      kind: 'confChange',
      data: encodeConfChange({ kind: 'addNode', nodeId: 2 }),
    });
    expect([empty.body.kind, conf.body.kind]).toEqual(['noop', 'noop']);
    const model = new ApplyModel();
    const result = model.apply(empty.body, 3);
    expect(result.batch).toHaveLength(1);
    expect(decodeAppliedState(model.get(APPLIED_STATE_KEY))).toEqual({ index: model.index, term: 3 });
  });

  it('an unknown format version is fail-stop', () => {
    const data = encodeShardEntry({ kind: 'barrier', proposal: { nodeId: 1, term: 1, sequence: 1 } });
    data[0] = 2;
    expect(() => decodeCommittedEntry({ index: 2, term: 1, kind: 'normal', data })).toThrow(AssertionError);
    expect(() => decodeCommittedEntry({ index: 2, term: 1, kind: 'normal', data })).toThrow(/format version 2/);
  });

  it('a malformed body is fail-stop', () => {
    const data = new Uint8Array([1, 0xc1, 0xc1]);
    expect(() => decodeCommittedEntry({ index: 2, term: 1, kind: 'normal', data })).toThrow(AssertionError);
  });
});
