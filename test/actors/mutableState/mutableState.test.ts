/**
 * Goal: mutable state is plain serializable data: a clone shares nothing with its source, and a msgpackr round
 * trip (how it is stored) gives back an equal state. Method: build a state with a buffered event and a started
 * task through the transitions, then clone and encode it; break one rule at a time for the fail-stop checks.
 */

import { pack, unpack } from 'msgpackr';
import { describe, expect, it } from 'vitest';

import { AssertionError } from '../../../src/raft/core/errors.js';
import { checkMutableState } from '../../../src/actors/mutableState/checkMutableState.js';
import { cloneMutableState, isClosed, type MutableState } from '../../../src/actors/mutableState/mutableState.js';
import { signalWorkflow } from '../../../src/actors/workflowTask/signalWorkflow.js';
import { RunHarness } from '../workflowTask/runHarness.js';

function busyState(): MutableState {
  const run = new RunHarness();
  run.poll();
  run.apply((s, c) => signalWorkflow(s, { signalName: 's', identity: 'c', requestId: 'r1' }, c));
  return run.state;
}

describe('MutableState', () => {
  it('clones deeply', () => {
    const state = busyState();
    const clone = cloneMutableState(state);
    expect(clone).toEqual(state);
    expect(clone.bufferedEvents).not.toBe(state.bufferedEvents);
    expect(clone.executionInfo).not.toBe(state.executionInfo);
    expect(isClosed(clone)).toBe(false);
  });

  it('survives a msgpackr round trip unchanged', () => {
    const state = busyState();
    expect(unpack(pack(state))).toEqual(state);
  });
});

describe('checkMutableState', () => {
  it('accepts states produced by transitions and fails stop on inconsistent ones', () => {
    const state = busyState();
    expect(() => checkMutableState(state)).not.toThrow();
    expect(() =>
      checkMutableState({ ...state, bufferedEvents: [...state.bufferedEvents], workflowTask: { phase: 'none' } })
    ).toThrow(AssertionError);
    expect(() => checkMutableState({ ...state, previousStartedEventId: state.nextEventId })).toThrow(AssertionError);
    expect(() => checkMutableState({ ...state, status: 'completed' })).toThrow(AssertionError);
  });
});
