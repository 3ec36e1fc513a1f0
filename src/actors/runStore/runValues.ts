/**
 * The values stored under the run keys (runKeys.ts): `format u8 (1) | msgpack`. A value with another format byte
 * or that does not decode is corruption (or a newer build): fail-stop.
 */
import { Packr } from 'msgpackr';
import { invariant } from '../../raft/core/errors.js';
import type { ProtoMessage } from '../history/events.js';
import type { MutableState, RunStatus } from '../mutableState/mutableState.js';
import type { RunRef } from './runKeys.js';

const VALUE_FORMAT = 1;
const packr = new Packr({ useRecords: false, moreTypes: false });

/** The current run of a workflow id: written only when a run starts (its status lives in its mutable state). */
export interface CurrentRunPointer {
  readonly formatVersion: 1;
  readonly runId: string;
  /** The requestId of the StartWorkflowExecution that created the run (reported by ALREADY_EXISTS). */
  readonly startRequestId: string;
}

/** One run as a list/count visibility query sees it. */
export interface VisibilityRow {
  readonly formatVersion: 1;
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  readonly taskQueue: string;
  readonly status: RunStatus;
  readonly startTimeMs: number;
  /** null while running. */
  readonly closeTimeMs: number | null;
  /** Events written so far (nextEventId − 1). */
  readonly historyLength: number;
  /** When the run's first workflow task was due: its start (Cairn has no start delay or cron backoff). */
  readonly executionTimeMs: number;
  /** `Memo.fields` of the run; null = none. */
  readonly memo: ProtoMessage | null;
  /** `SearchAttributes.indexedFields` of the run; null = none. */
  readonly searchAttributes: ProtoMessage | null;
  /** The parent run of a child workflow; null for a top-level run. */
  readonly parentExecution: RunRef | null;
  /** The first run of the run's continue-as-new / retry chain. */
  readonly firstRunId: string;
}

/** Encodes a run value. */
export function encodeRunValue(value: unknown): Uint8Array {
  const packed = packr.pack(value);
  const out = new Uint8Array(1 + packed.length);
  out[0] = VALUE_FORMAT;
  out.set(packed, 1);
  return out;
}

/** Decodes a run value's msgpack body. */
export function decodeRunValue(bytes: Uint8Array, what: string): unknown {
  invariant(bytes.length >= 2 && bytes[0] === VALUE_FORMAT, () => `${what}: unknown value format ${bytes[0]}`);
  return packr.unpack(bytes.subarray(1));
}

/** Decodes a stored object and checks its `formatVersion` field. */
export function decodeVersionedRunValue<T extends { readonly formatVersion: 1 }>(bytes: Uint8Array, what: string): T {
  const decoded = decodeRunValue(bytes, what);
  invariant(
    typeof decoded === 'object' && decoded !== null && (decoded as { formatVersion?: unknown }).formatVersion === 1,
    () => `${what}: stored object has no formatVersion 1`
  );
  return decoded as T;
}

/** The visibility row of `state`. */
export function visibilityRowOf(state: MutableState): VisibilityRow {
  const info = state.executionInfo;
  return {
    formatVersion: 1,
    namespace: info.namespace,
    workflowId: info.workflowId,
    runId: info.runId,
    workflowType: info.workflowType,
    taskQueue: info.taskQueue,
    status: state.status,
    startTimeMs: info.startTimeMs,
    closeTimeMs: state.closeState === null ? null : state.closeState.closeTimeMs,
    historyLength: state.nextEventId - 1,
    executionTimeMs: info.startTimeMs,
    memo: state.memo,
    searchAttributes: state.searchAttributes,
    parentExecution:
      state.parent === null
        ? null
        : { namespace: state.parent.namespace, workflowId: state.parent.workflowId, runId: state.parent.runId },
    firstRunId: state.firstExecutionRunId,
  };
}
