// Goal: the pure apply of a barrier entry: it changes nothing but the applied index and term, and outcome
// `applied` with an empty result (the Shard opens its gate on it).
// Method: apply a barrier to a model holding user data and compare the state before and after.
import { describe, expect, it } from 'vitest';
import { APPLIED_STATE_KEY, decodeAppliedState } from '../../../src/shard/apply/stateLayout.js';
import { command, put } from '../support/commands.js';
import { ApplyModel } from './applyHarness.js';

describe('apply: barrier', () => {
  it('writes only the applied state, with the entry term', () => {
    const model = new ApplyModel();
    model.command(command({ requestId: 'r', writes: [put('a', '1')] }));
    const userState = model.dump().filter(([key]) => !key.startsWith('0001'));
    const result = model.apply({ kind: 'barrier', proposal: { nodeId: 1, term: 5, sequence: 1 } }, 5);
    expect(result.outcome).toBe('applied');
    expect(result.result.length).toBe(0);
    expect(result.batch).toHaveLength(1);
    expect(decodeAppliedState(model.get(APPLIED_STATE_KEY))).toEqual({ index: model.index, term: 5 });
    expect(model.dump().filter(([key]) => !key.startsWith('0001'))).toEqual(userState);
  });
});
