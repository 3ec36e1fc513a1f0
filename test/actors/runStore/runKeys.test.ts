// Goal: the run key layout (runKeys.ts) keeps runs apart and orders a run's history by event id.
// Method: build keys for chosen ids (including ids that are prefixes of each other and multi-byte UTF-8) and
// compare them bytewise, as LevelDB does.
import { describe, expect, it } from 'vitest';
import {
  currentRunKey,
  historyEventKey,
  historyRange,
  mutableStateKey,
  visibilityKey,
} from '../../../src/actors/runStore/runKeys.js';

const run = { namespace: 'default', workflowId: 'wf', runId: 'r1' };
const compare = (a: Uint8Array, b: Uint8Array): number => Buffer.compare(a, b);
const within = (key: Uint8Array, range: { gte: Uint8Array; lt: Uint8Array }): boolean =>
  compare(key, range.gte) >= 0 && compare(key, range.lt) < 0;

describe('runKeys', () => {
  it('orders event keys by numeric event id, across byte boundaries', () => {
    const ids = [1, 2, 9, 10, 255, 256, 65_536, 2 ** 32, 2 ** 40];
    const keys = ids.map((id) => historyEventKey(run, id));
    const sorted = [...keys].sort(compare);
    expect(sorted).toEqual(keys);
  });

  it('separates (namespace, workflowId, runId) splits that concatenate to the same text', () => {
    const a = mutableStateKey({ namespace: 'ab', workflowId: 'c', runId: 'd' });
    const b = mutableStateKey({ namespace: 'a', workflowId: 'bc', runId: 'd' });
    expect(compare(a, b)).not.toBe(0);
    expect(compare(currentRunKey('ab', 'c'), currentRunKey('a', 'bc'))).not.toBe(0);
  });

  it("a run's history range holds its events only, not another run's with a prefix id", () => {
    const range = historyRange(run, 1, 100);
    expect(within(historyEventKey(run, 1), range)).toBe(true);
    expect(within(historyEventKey(run, 99), range)).toBe(true);
    expect(within(historyEventKey(run, 100), range)).toBe(false);
    expect(within(historyEventKey({ ...run, runId: 'r10' }, 5), range)).toBe(false);
    expect(within(historyEventKey({ ...run, workflowId: 'wf2' }, 5), range)).toBe(false);
  });

  it('gives each kind of record its own tag and encodes multi-byte UTF-8 ids by byte length', () => {
    const tags = [currentRunKey('n', 'w'), mutableStateKey(run), historyEventKey(run, 1), visibilityKey(run)];
    expect(tags.map((key) => key[0])).toEqual([0x10, 0x11, 0x12, 0x13]);
    const key = currentRunKey('n', 'é');
    // tag, u16 1, 'n', u16 2, 0xc3 0xa9
    expect([...key]).toEqual([0x10, 0, 1, 0x6e, 0, 2, 0xc3, 0xa9]);
  });
});
