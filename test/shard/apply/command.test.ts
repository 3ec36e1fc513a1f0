// Goal: the pure apply of a ShardCommand entry (src/shard/apply/apply.ts): versions, preconditions, request-id
// dedup returning the first outcome, the applied state in every batch, and determinism.
// Method: apply commands to an in-memory model (applyHarness.ts) and inspect results and stored values; a
// fast-check property checks that applying the same sequence twice from scratch gives identical batches.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../../src/raft/core/errors.js';
import { applyEntry, keysToRead } from '../../../src/shard/apply/apply.js';
import { APPLIED_STATE_KEY, decodeAppliedState, dedupKey } from '../../../src/shard/apply/stateLayout.js';
import { command, del, put, requires, textOf } from '../support/commands.js';
import { ApplyModel } from './applyHarness.js';

describe('apply: command', () => {
  it('puts create at version 1 and bump by one; deletes remove the key', () => {
    const model = new ApplyModel();
    expect(model.command(command({ writes: [put('a', 'x'), put('b', 'y')] })).outcome).toBe('applied');
    model.command(command({ writes: [put('a', 'x2')] }));
    expect([model.user('a')?.version, textOf(model.user('a')?.value)]).toEqual([2, 'x2']);
    expect(model.user('b')?.version).toBe(1);
    model.command(command({ writes: [del('b')] }));
    expect(model.user('b')).toBeUndefined();
  });

  it('every batch ends with the applied index and term', () => {
    const model = new ApplyModel();
    const result = model.command(command({ writes: [put('a', 'x')] }));
    const last = result.batch[result.batch.length - 1];
    expect(last?.type === 'put' && [...last.key]).toEqual([...APPLIED_STATE_KEY]);
    expect(decodeAppliedState(model.get(APPLIED_STATE_KEY))).toEqual({ index: model.index, term: model.term });
  });

  it('a failed precondition makes the whole command a no-op (conflict) that still advances the applied index', () => {
    const model = new ApplyModel();
    model.command(command({ writes: [put('a', '1')] }));
    const before = model.dump().filter(([key]) => !key.startsWith('0001'));
    const result = model.command(
      command({ requestId: 'r', preconditions: [requires('a', 1), requires('b', 3)], writes: [put('a', '2')] })
    );
    expect(result.outcome).toBe('conflict');
    expect(result.result.length).toBe(0);
    expect(result.failedPrecondition).toMatchObject({ expectedVersion: 3, actualVersion: null });
    expect(result.batch).toHaveLength(1);
    expect(model.dump().filter(([key]) => !key.startsWith('0001'))).toEqual(before);
    expect(decodeAppliedState(model.get(APPLIED_STATE_KEY)).index).toBe(model.index);
    // No dedup record for a conflict: the engine may re-evaluate and propose again with the same requestId.
    expect(model.get(dedupKey('r'))).toBeUndefined();
  });

  it('preconditions: version null means absent, a number means exactly that version', () => {
    const model = new ApplyModel();
    expect(model.command(command({ preconditions: [requires('a', null)], writes: [put('a', '1')] })).outcome).toBe(
      'applied'
    );
    expect(model.command(command({ preconditions: [requires('a', null)] })).outcome).toBe('conflict');
    expect(model.command(command({ preconditions: [requires('a', 1)], writes: [put('a', '2')] })).outcome).toBe(
      'applied'
    );
    expect(model.command(command({ preconditions: [requires('a', 1)] })).outcome).toBe('conflict');
  });

  it('a repeated requestId is a duplicate returning the first outcome, with no writes', () => {
    const model = new ApplyModel();
    const first = model.command(command({ requestId: 'req-1', writes: [put('a', '1')], outcome: 'first' }));
    expect([first.outcome, textOf(first.result)]).toEqual(['applied', 'first']);
    const again = model.command(command({ requestId: 'req-1', writes: [put('a', '2')], outcome: 'second' }));
    expect([again.outcome, textOf(again.result)]).toEqual(['duplicate', 'first']);
    expect(again.batch).toHaveLength(1);
    expect([model.user('a')?.version, textOf(model.user('a')?.value)]).toEqual([1, '1']);
    // Dedup is checked before preconditions: a retry whose preconditions no longer hold still gets its answer.
    const retry = model.command(command({ requestId: 'req-1', preconditions: [requires('a', null)] }));
    expect(retry.outcome).toBe('duplicate');
  });

  it('refuses (fail-stop) an entry at or below the applied index: it would apply twice', () => {
    const model = new ApplyModel();
    model.command(command({ writes: [put('a', '1')] }));
    const replay = {
      index: model.index,
      term: model.term,
      body: { kind: 'barrier' as const, proposal: { nodeId: 1, term: 2, sequence: 1 } },
    };
    expect(() => applyEntry(replay, model)).toThrow(AssertionError);
  });

  it('reads only the keys keysToRead names', () => {
    const model = new ApplyModel();
    model.command(command({ writes: [put('a', '1')] }));
    const body = {
      kind: 'command' as const,
      proposal: { nodeId: 1, term: 2, sequence: 9 },
      command: command({ requestId: 'q', preconditions: [requires('a', 1)], writes: [put('b', '2'), del('c')] }),
    };
    const allowed = new Set(keysToRead(body).map((key) => Buffer.from(key).toString('hex')));
    const read: string[] = [];
    applyEntry(
      { index: model.index + 1, term: 2, body },
      {
        get: (key) => {
          read.push(Buffer.from(key).toString('hex'));
          return model.get(key);
        },
      }
    );
    expect(read.every((key) => allowed.has(key))).toBe(true);
    expect(read.length).toBeGreaterThan(0);
  });

  it('is deterministic: the same command sequence from scratch yields identical batches', () => {
    const keyArb = fc.constantFrom('a', 'b', 'c');
    const commandArb = fc.record({
      requestId: fc.option(fc.constantFrom('r1', 'r2', 'r3'), { nil: null }),
      precondition: fc.option(fc.tuple(keyArb, fc.option(fc.integer({ min: 1, max: 3 }), { nil: null })), {
        nil: null,
      }),
      write: fc.tuple(keyArb, fc.boolean(), fc.string({ maxLength: 4 })),
    });
    fc.assert(
      fc.property(fc.array(commandArb, { maxLength: 30 }), (specs) => {
        const run = () => {
          const model = new ApplyModel();
          const outcomes = specs.map((spec) =>
            model.command(
              command({
                requestId: spec.requestId,
                preconditions: spec.precondition === null ? [] : [requires(spec.precondition[0], spec.precondition[1])],
                writes: [spec.write[1] ? put(spec.write[0], spec.write[2]) : del(spec.write[0])],
                outcome: spec.write[2],
              })
            )
          );
          return { outcomes: outcomes.map((o) => [o.outcome, textOf(o.result)]), state: model.dump() };
        };
        expect(run()).toEqual(run());
      }),
      { seed: 4242, numRuns: 200 }
    );
  });
});
