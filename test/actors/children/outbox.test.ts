/**
 * Goal: outboxOf lists exactly the deliveries the state implies (TEMPORAL-API.md §5.10): parent close policies on a
 * closed parent (terminate / request-cancel started children, drop initiated ones, leave abandoned ones), a closed
 * parent ignores child results, and each item vanishes once its result transition ran.
 * Method: a parent harness with four children in different policies and phases, closed by COMPLETE; outbox
 * contents compared before and after policyApplied.
 */

import { describe, expect, it } from 'vitest';

import { childClosed, childStarted, policyApplied } from '../../../src/actors/children/childTransitions.js';
import { outboxOf } from '../../../src/actors/children/outbox.js';
import { InvalidTransitionInputError } from '../../../src/actors/workflowTask/errors.js';
import type { TransitionResult } from '../../../src/actors/workflowTask/transition.js';
import { completeCommand, RunHarness } from '../workflowTask/runHarness.js';
import { completeWith, startChildCommand } from './childHarness.js';

function applied(result: TransitionResult | null): TransitionResult {
  if (result === null) throw new Error('expected a recorded result');
  return result;
}

/** A parent with children at 5 (TERMINATE), 6 (REQUEST_CANCEL), 7 (ABANDON) started and 8 (TERMINATE) initiated. */
function parentWithFourChildren(): RunHarness {
  const parent = new RunHarness();
  parent.poll();
  completeWith(parent, [
    startChildCommand('terminate-me'),
    startChildCommand('cancel-me', { parentClosePolicy: 'PARENT_CLOSE_POLICY_REQUEST_CANCEL' }),
    startChildCommand('abandon-me', { parentClosePolicy: 'PARENT_CLOSE_POLICY_ABANDON' }),
    startChildCommand('never-started'),
  ]);
  for (const initiatedEventId of [5, 6, 7]) {
    parent.apply((s, c) => applied(childStarted(s, { initiatedEventId, runId: `run-of-${initiatedEventId}` }, c)));
  }
  return parent;
}

describe('outboxOf', () => {
  it('a running parent lists only its unstarted children', () => {
    const parent = parentWithFourChildren();
    expect(outboxOf(parent.state)).toMatchObject([
      { kind: 'startChild', dedupKey: 'run-1/8/startChild', child: { workflowId: 'never-started' } },
    ]);
  });

  it('a closed parent lists terminate / cancel items for started children and drops the rest', () => {
    const parent = parentWithFourChildren();
    parent.poll();
    completeWith(parent, [completeCommand]);
    expect(outboxOf(parent.state)).toEqual([
      {
        kind: 'terminateChild',
        dedupKey: 'run-1/5/terminateChild',
        target: { namespace: 'default', workflowId: 'terminate-me', runId: 'run-of-5' },
        initiatedEventId: 5,
      },
      {
        kind: 'cancelChild',
        dedupKey: 'run-1/6/cancelChild',
        target: { namespace: 'default', workflowId: 'cancel-me', runId: 'run-of-6' },
        initiatedEventId: 6,
      },
    ]);
    // The closed parent ignores child results; only policyApplied changes it.
    const report = { initiatedEventId: 5, runId: 'run-of-5', status: 'terminated', payload: null } as const;
    expect(childClosed(parent.state, report, parent.context())).toBeNull();
    expect(childStarted(parent.state, { initiatedEventId: 8, runId: 'late' }, parent.context())).toBeNull();

    const closedHistoryLength = parent.history.length;
    parent.apply((s, c) => applied(policyApplied(s, 5, c)));
    expect(outboxOf(parent.state).map((item) => item.kind)).toEqual(['cancelChild']);
    parent.apply((s, c) => applied(policyApplied(s, 6, c)));
    expect(outboxOf(parent.state)).toEqual([]);
    expect(parent.history).toHaveLength(closedHistoryLength);
    expect(policyApplied(parent.state, 6, parent.context())).toBeNull();
  });

  it('policyApplied refuses a running parent', () => {
    const parent = parentWithFourChildren();
    expect(() => policyApplied(parent.state, 5, parent.context())).toThrow(InvalidTransitionInputError);
  });
});
