/**
 * UpdateWorkflowExecution's write (TEMPORAL-API.md §5.9, §10): admits an update into the run, or finds it by
 * updateId. Admission writes no event; it records the update and makes sure a workflow task will carry it.
 */

import type { ProtoMessage } from '../history/events.js';
import type { MutableState, UpdateInfo } from '../mutableState/mutableState.js';
import { InvalidTransitionInputError } from '../workflowTask/errors.js';
import { defaultQueueKind, scheduleWorkflowTaskIn } from '../workflowTask/scheduleWorkflowTask.js';
import {
  requireRunning,
  TransitionDraft,
  type TransitionContext,
  type TransitionResult,
} from '../workflowTask/transition.js';

/** Updates admitted or accepted but not completed, per run (§10). */
export const updatesInFlightMax = 10;
/** Updates a run may ever receive, rejected ones included (§10). */
export const updatesTotalMax = 2_000;

/** A run is at an update limit: the frontend answers RESOURCE_EXHAUSTED. */
export class UpdateLimitError extends Error {
  override readonly name = 'UpdateLimitError';
  constructor(
    readonly limit: 'inFlight' | 'total',
    message: string
  ) {
    super(message);
  }
}

/** UpdateWorkflowExecution's `request`. */
export interface AdmitUpdateInput {
  /** `temporal.api.update.v1.Request{meta{updateId, identity}, input{header, name, args}}`, kept verbatim. */
  readonly request: ProtoMessage;
}

/** The request's `meta.updateId`; InvalidTransitionInputError when it is missing or empty. */
export function updateIdOf(request: ProtoMessage): string {
  const meta = request['meta'];
  const updateId = typeof meta === 'object' && meta !== null ? (meta as ProtoMessage)['updateId'] : undefined;
  if (typeof updateId !== 'string' || updateId === '') {
    throw new InvalidTransitionInputError('update request needs a non-empty meta.updateId; set it and retry');
  }
  return updateId;
}

/** Throws UpdateLimitError when one more update would pass a per-run limit. */
function requireUpdateRoom(state: MutableState): void {
  const updates = Object.values(state.updates);
  const inFlightCount = updates.filter((info) => info.phase === 'admitted' || info.phase === 'accepted').length;
  if (inFlightCount >= updatesInFlightMax) {
    throw new UpdateLimitError(
      'inFlight',
      `workflow ${state.executionInfo.workflowId} already has ${inFlightCount} updates in flight (limit ` +
        `${updatesInFlightMax}); wait for one to complete and retry`
    );
  }
  if (updates.length >= updatesTotalMax) {
    throw new UpdateLimitError(
      'total',
      `workflow ${state.executionInfo.workflowId} has received ${updates.length} updates (limit ` +
        `${updatesTotalMax} per run); continue as new to accept more`
    );
  }
}

/**
 * Admits the update `input.request` names. A known updateId changes nothing (the caller then reads its status,
 * see updateStatus.ts), even on a closed run. Otherwise: WorkflowClosedError on a closed run, UpdateLimitError at
 * a limit, else the update is recorded as admitted and a workflow task is scheduled if none is pending. A
 * scheduled task will carry it; a started one will not, and the next one does (see needsWorkflowTaskForUpdates).
 */
export function admitUpdate(
  state: MutableState,
  input: AdmitUpdateInput,
  context: TransitionContext
): TransitionResult {
  const updateId = updateIdOf(input.request);
  const draft = new TransitionDraft(state, context);
  if (Object.hasOwn(state.updates, updateId)) {
    return draft.finish();
  }
  requireRunning(state);
  requireUpdateRoom(state);
  const info: UpdateInfo = {
    updateId,
    phase: 'admitted',
    request: input.request,
    deliveredStartedEventId: 0,
    acceptedEventId: 0,
    outcome: null,
  };
  draft.update({ updates: { ...state.updates, [updateId]: info } });
  if (state.workflowTask.phase === 'none') {
    scheduleWorkflowTaskIn(draft, 1, defaultQueueKind(state));
  }
  return draft.finish();
}
