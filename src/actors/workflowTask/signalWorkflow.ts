/**
 * SignalWorkflowExecution (TEMPORAL-API.md §5.8): WorkflowExecutionSignaled, buffered while a task is started,
 * else written with a task scheduled if none is pending. A retried signal (same non-empty requestId) is accepted
 * again without a second event.
 */

import type { ProtoMessage } from '../history/events.js';
import { defaultRunLimits, RunLimitError, SIGNAL_REQUEST_IDS_KEPT } from '../limits/runLimits.js';
import type { MutableState } from '../mutableState/mutableState.js';
import { acceptOutsideEventIn } from './bufferedEvents.js';
import { requireRunning, TransitionDraft, type TransitionContext, type TransitionResult } from './transition.js';

/** The signal's fields the history keeps. */
export interface SignalWorkflowInput {
  readonly signalName: string;
  readonly input?: ProtoMessage;
  readonly header?: ProtoMessage;
  readonly identity: string;
  /** Deduplication key; '' = none. */
  readonly requestId: string;
}

/** Delivers a signal to a running run; WorkflowClosedError on a closed one. */
export function signalWorkflow(
  state: MutableState,
  input: SignalWorkflowInput,
  context: TransitionContext
): TransitionResult {
  requireRunning(state);
  const draft = new TransitionDraft(state, context);
  if (input.requestId !== '' && state.signalRequestIds.includes(input.requestId)) {
    return draft.finish();
  }
  const signalsMax = (context.limits ?? defaultRunLimits).signalsPerRunMax;
  if (state.signalsReceivedCount >= signalsMax) {
    throw new RunLimitError(
      `workflow ${state.executionInfo.workflowId} has received ${state.signalsReceivedCount} signals, the limit per ` +
        `run (${signalsMax}): continue as new to accept more`
    );
  }
  acceptOutsideEventIn(draft, {
    kind: 'signaled',
    attributes: {
      signalName: input.signalName,
      ...(input.input === undefined ? {} : { input: input.input }),
      identity: input.identity,
      ...(input.header === undefined ? {} : { header: input.header }),
    },
  });
  draft.update({
    signalsReceivedCount: draft.state.signalsReceivedCount + 1,
    // Only the latest ids are kept: a retried signal comes soon after its first try.
    signalRequestIds:
      input.requestId === ''
        ? state.signalRequestIds
        : [...state.signalRequestIds, input.requestId].slice(-SIGNAL_REQUEST_IDS_KEPT),
  });
  return draft.finish();
}
