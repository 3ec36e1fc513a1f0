// Goal: the single-node transport fails stop if a group ever tries to message a peer (a single voter has none).
// Method: hand it an empty and a non-empty message list.
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../../src/raft/core/errors.js';
import { makeMessage } from '../../../src/raft/core/types.js';
import { LoopbackTransport } from '../../../src/shard/runtime/loopbackTransport.js';

describe('LoopbackTransport', () => {
  it('accepts nothing to send and asserts on any message', () => {
    const transport = new LoopbackTransport();
    expect(() => transport.send(1, [])).not.toThrow();
    expect(() => transport.send(3, [makeMessage({ type: 'app', from: 1, to: 2 })])).toThrow(AssertionError);
    expect(() => transport.send(3, [makeMessage({ type: 'app', from: 1, to: 2 })])).toThrow(/group 3: app to node 2/);
  });
});
