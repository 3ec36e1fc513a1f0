/**
 * An update's life-cycle stage and outcome as waiters report them (TEMPORAL-API.md §5.9): ADMITTED 1, ACCEPTED 2,
 * COMPLETED 3. A rejected update is COMPLETED with a failure outcome, as in Temporal.
 */

import type { ProtoMessage } from '../history/events.js';
import type { UpdateInfo } from '../mutableState/mutableState.js';

/** `UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_*` as numbers, so stages order (the frontend's `UpdateStage`). */
export type UpdateStageNumber = 1 | 2 | 3;

/** The stage the update has reached. */
export function updateStageOf(info: UpdateInfo): UpdateStageNumber {
  switch (info.phase) {
    case 'admitted':
      return 1;
    case 'accepted':
      return 2;
    case 'completed':
    case 'rejected':
      return 3;
  }
}

/**
 * `temporal.api.update.v1.Outcome` once the update is completed (the worker's `{success}` or `{failure}`) or
 * rejected (`{failure}`); undefined before.
 */
export function updateOutcomeOf(info: UpdateInfo): ProtoMessage | undefined {
  return info.phase === 'completed' || info.phase === 'rejected' ? (info.outcome ?? undefined) : undefined;
}
