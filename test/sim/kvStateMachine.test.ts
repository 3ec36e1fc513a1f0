/**
 * Goal: the simulator's KV state machine is deterministic, idempotent per client session and round-trips
 * through snapshots. Method: apply command sequences, retries and stale retries; compare digests of replicas
 * built by applying versus restoring a snapshot.
 */
import { describe, expect, it } from 'vitest';
import { KvStateMachine, decodeCommand, encodeCommand, type KvCommand } from './kvStateMachine.js';

describe('KvStateMachine', () => {
  it('put, cas and get', () => {
    const kv = new KvStateMachine();
    expect(kv.apply({ kind: 'cas', clientId: 1, opSeq: 1, key: 'a', expected: null, value: 5 })).toEqual({
      kind: 'cas',
      swapped: true,
    });
    expect(kv.apply({ kind: 'cas', clientId: 1, opSeq: 2, key: 'a', expected: 4, value: 6 })).toEqual({
      kind: 'cas',
      swapped: false,
    });
    expect(kv.apply({ kind: 'put', clientId: 2, opSeq: 1, key: 'a', value: 7 })).toEqual({ kind: 'put' });
    expect(kv.get('a')).toBe(7);
    expect(kv.get('b')).toBeNull();
  });

  it('a retried op applies once and returns its first result; an older retry is stale', () => {
    const kv = new KvStateMachine();
    const cas: KvCommand = { kind: 'cas', clientId: 1, opSeq: 1, key: 'a', expected: null, value: 1 };
    expect(kv.apply(cas)).toEqual({ kind: 'cas', swapped: true });
    expect(kv.apply({ kind: 'put', clientId: 2, opSeq: 1, key: 'a', value: 9 })).toEqual({ kind: 'put' });
    expect(kv.apply(cas)).toEqual({ kind: 'cas', swapped: true }); // the recorded result, not a second swap
    expect(kv.get('a')).toBe(9);
    kv.apply({ kind: 'put', clientId: 1, opSeq: 2, key: 'a', value: 3 });
    expect(kv.apply(cas)).toEqual({ kind: 'stale' });
    expect(kv.get('a')).toBe(3);
  });

  it('a snapshot restores an equal state with an equal digest', () => {
    const source = new KvStateMachine();
    for (let i = 0; i < 20; i++) source.apply({ kind: 'put', clientId: i % 3, opSeq: i, key: `k${i % 4}`, value: i });
    source.apply({ kind: 'probe', probeId: 1 });
    const copy = new KvStateMachine();
    copy.restore(source.serialize());
    expect(copy.digest()).toBe(source.digest());
    copy.apply({ kind: 'put', clientId: 9, opSeq: 1, key: 'k0', value: -1 });
    expect(copy.digest()).not.toBe(source.digest());
  });

  it('commands round-trip through their encoding', () => {
    const command: KvCommand = { kind: 'cas', clientId: 3, opSeq: 4, key: 'g0k1', expected: null, value: 2 };
    expect(decodeCommand(encodeCommand(command))).toEqual(command);
  });
});
