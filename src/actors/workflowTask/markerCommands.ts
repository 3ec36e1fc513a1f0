/**
 * RECORD_MARKER, UPSERT_WORKFLOW_SEARCH_ATTRIBUTES and MODIFY_WORKFLOW_PROPERTIES (TEMPORAL-API.md §5.5, §7):
 * commands that write one event each and need no new workflow task. Upserts merge into the run's search
 * attributes and memo the way Temporal's `MergeMapOfPayload` does: a key whose payload is empty (the SDKs' encoding
 * of null) or the JSON empty list (the TS SDK's way to unset a search attribute) is removed. The merged search
 * attributes must stay within §10's limits (100 keys, 2 KB per value, 40 KB total); the merged memo within 2 MB.
 *
 * `validate` sees the state before the completion, so two upserts in one completion would each pass alone. The
 * maps as merged by the commands validated so far are kept per completion, keyed by the completion's scope object
 * (one per completion, validated in command order; see completeWorkflowTask.ts), and each upsert is checked
 * against them.
 */

import { invariant } from '../../raft/core/errors.js';
import type { ProtoMessage, WorkflowTaskFailedCause } from '../history/events.js';
import { looseEvent } from '../history/looseEvents.js';
import type { MutableState } from '../mutableState/mutableState.js';
import {
  attributesOf,
  messageField,
  type CompletionScope,
  type CommandHandler,
  type CommandHandlerTable,
  type CommandRejection,
  type ProtoCommand,
} from './commandHandlers.js';

/** §10: search attribute keys per run. */
export const SEARCH_ATTRIBUTE_KEYS_MAX = 100;
/** §10: bytes of one search attribute value (its payload data, as Temporal measures it). */
export const SEARCH_ATTRIBUTE_VALUE_BYTES_MAX = 2 * 1024;
/** §10: bytes of all search attributes (keys, metadata and data). */
export const SEARCH_ATTRIBUTES_TOTAL_BYTES_MAX = 40 * 1024;
/** §10: bytes of the memo (keys, metadata and data). */
export const MEMO_TOTAL_BYTES_MAX = 2 * 1024 * 1024;

const markerMember = 'recordMarkerCommandAttributes';
const upsertMember = 'upsertWorkflowSearchAttributesCommandAttributes';
const modifyMember = 'modifyWorkflowPropertiesCommandAttributes';
const badMarker: WorkflowTaskFailedCause = 'WORKFLOW_TASK_FAILED_CAUSE_BAD_RECORD_MARKER_ATTRIBUTES';
const badSearchAttributes: WorkflowTaskFailedCause = 'WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES';
const badModify: WorkflowTaskFailedCause = 'WORKFLOW_TASK_FAILED_CAUSE_BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES';

const utf8 = new TextEncoder();

/** Byte length of a proto `bytes` field (Buffer/Uint8Array, or a string from a loader set to decode bytes so). */
function bytesLengthOf(value: unknown): number | null {
  if (value === undefined || value === null) return 0;
  if (value instanceof Uint8Array) return value.byteLength;
  if (typeof value === 'string') return utf8.encode(value).byteLength;
  return null;
}

/** True for the bytes of the JSON empty list `[]`. */
function isEmptyJsonList(value: unknown): boolean {
  if (typeof value === 'string') return value === '[]';
  return value instanceof Uint8Array && value.byteLength === 2 && value[0] === 0x5b && value[1] === 0x5d;
}

/** Sizes of one `temporal.api.common.v1.Payload`, or null if it is not one. */
function payloadSizeOf(payload: unknown): { dataBytes: number; totalBytes: number } | null {
  if (typeof payload !== 'object' || payload === null || payload instanceof Uint8Array) return null;
  const fields = payload as ProtoMessage;
  const dataBytes = bytesLengthOf(fields['data']);
  const metadata = fields['metadata'] ?? {};
  if (dataBytes === null || typeof metadata !== 'object' || metadata === null) return null;
  let totalBytes = dataBytes;
  for (const [key, value] of Object.entries(metadata as ProtoMessage)) {
    const valueBytes = bytesLengthOf(value);
    if (valueBytes === null) return null;
    totalBytes += utf8.encode(key).byteLength + valueBytes;
  }
  return { dataBytes, totalBytes };
}

/** True when a payload in an upsert means "remove this key". */
function unsetsKey(payload: ProtoMessage): boolean {
  return bytesLengthOf(payload['data']) === 0 || isEmptyJsonList(payload['data']);
}

/** The search attributes and memo as merged by a completion's commands validated so far. */
interface CompletionMaps {
  searchAttributes: ProtoMessage | null;
  memo: ProtoMessage | null;
}

const mapsByCompletion = new WeakMap<CompletionScope, CompletionMaps>();

/** The completion's merged maps, initialised from the state on its first upsert. */
function mapsOf(scope: CompletionScope, state: MutableState): CompletionMaps {
  let maps = mapsByCompletion.get(scope);
  if (maps === undefined) {
    maps = { searchAttributes: state.searchAttributes, memo: state.memo };
    mapsByCompletion.set(scope, maps);
  }
  return maps;
}

/** `current` with `upserts` merged in (Temporal's MergeMapOfPayload); null when nothing is left. */
export function mergePayloadMap(current: ProtoMessage | null, upserts: ProtoMessage): ProtoMessage | null {
  const merged: Record<string, unknown> = { ...(current ?? {}) };
  for (const [key, payload] of Object.entries(upserts)) {
    if (unsetsKey(payload as ProtoMessage)) {
      delete merged[key];
    } else {
      merged[key] = payload;
    }
  }
  return Object.keys(merged).length === 0 ? null : merged;
}

/** The first reason the map of payloads is malformed, or null; keys must be non-empty. */
function malformedPayloadMap(fields: ProtoMessage): string | null {
  for (const [key, payload] of Object.entries(fields)) {
    if (key === '') return 'keys must be non-empty';
    if (payloadSizeOf(payload) === null) {
      return `value of ${JSON.stringify(key)} is not a Payload {metadata, data} with bytes fields`;
    }
  }
  return null;
}

/** The first limit the merged search attributes break, or null. */
function searchAttributesOverLimit(merged: ProtoMessage | null): string | null {
  const entries = Object.entries(merged ?? {});
  if (entries.length > SEARCH_ATTRIBUTE_KEYS_MAX) {
    return `${entries.length} search attributes exceed the limit of ${SEARCH_ATTRIBUTE_KEYS_MAX} keys`;
  }
  let totalBytes = 0;
  for (const [key, payload] of entries) {
    // Upserted values were checked; values given at start are not yet, and a malformed one counts as empty.
    const size = payloadSizeOf(payload) ?? { dataBytes: 0, totalBytes: 0 };
    if (size.dataBytes > SEARCH_ATTRIBUTE_VALUE_BYTES_MAX) {
      return `search attribute ${JSON.stringify(key)} has ${size.dataBytes} bytes, over the limit of ${SEARCH_ATTRIBUTE_VALUE_BYTES_MAX}`;
    }
    totalBytes += utf8.encode(key).byteLength + size.totalBytes;
  }
  return totalBytes > SEARCH_ATTRIBUTES_TOTAL_BYTES_MAX
    ? `search attributes total ${totalBytes} bytes, over the limit of ${SEARCH_ATTRIBUTES_TOTAL_BYTES_MAX}`
    : null;
}

/** Bytes of a map of payloads (keys, metadata and data); the map was checked by {@link malformedPayloadMap}. */
function payloadMapBytes(fields: ProtoMessage | null): number {
  let totalBytes = 0;
  for (const [key, payload] of Object.entries(fields ?? {})) {
    totalBytes += utf8.encode(key).byteLength + (payloadSizeOf(payload)?.totalBytes ?? 0);
  }
  return totalBytes;
}

/** The map member `mapField` of the message `messageMember` in the command's attributes, or null. */
function payloadMapOf(command: ProtoCommand, member: string, messageMember: string, mapField: string) {
  const attributes = attributesOf(command, member);
  const message = attributes === null ? undefined : messageField(attributes, messageMember);
  const fields = message === undefined ? undefined : messageField(message, mapField);
  return attributes === null || message === undefined || fields === undefined ? null : { attributes, message, fields };
}

const recordMarkerHandler: CommandHandler = {
  closesRun: false,
  validate: (command) => {
    const markerName = attributesOf(command, markerMember)?.['markerName'];
    return typeof markerName === 'string' && markerName !== ''
      ? null
      : { cause: badMarker, message: `RECORD_MARKER: ${markerMember}.markerName must be a non-empty string` };
  },
  apply: (draft, command, workflowTaskCompletedEventId) => {
    const attributes = attributesOf(command, markerMember);
    invariant(attributes !== null, 'RECORD_MARKER was validated');
    const optional = (field: string) => {
      const value = messageField(attributes, field);
      return value === undefined ? {} : { [field]: value };
    };
    draft.append(looseEvent('EVENT_TYPE_MARKER_RECORDED'), {
      markerName: attributes['markerName'],
      ...optional('details'),
      workflowTaskCompletedEventId: String(workflowTaskCompletedEventId),
      ...optional('header'),
      ...optional('failure'),
    });
    return false;
  },
};

function validateUpsert(command: ProtoCommand, state: MutableState, scope: CompletionScope): CommandRejection | null {
  const reject = (why: string): CommandRejection => ({ cause: badSearchAttributes, message: `UPSERT: ${why}` });
  const upsert = payloadMapOf(command, upsertMember, 'searchAttributes', 'indexedFields');
  if (upsert === null) {
    return reject(`${upsertMember}.searchAttributes.indexedFields is required`);
  }
  const malformed = malformedPayloadMap(upsert.fields);
  if (malformed !== null) {
    return reject(`search attributes: ${malformed}`);
  }
  const maps = mapsOf(scope, state);
  const merged = mergePayloadMap(maps.searchAttributes, upsert.fields);
  const overLimit = searchAttributesOverLimit(merged);
  if (overLimit !== null) {
    return reject(`${overLimit}; upsert fewer or smaller values`);
  }
  maps.searchAttributes = merged;
  return null;
}

const upsertSearchAttributesHandler: CommandHandler = {
  closesRun: false,
  validate: validateUpsert,
  apply: (draft, command, workflowTaskCompletedEventId) => {
    const upsert = payloadMapOf(command, upsertMember, 'searchAttributes', 'indexedFields');
    invariant(upsert !== null, 'UPSERT_WORKFLOW_SEARCH_ATTRIBUTES was validated');
    draft.append(looseEvent('EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES'), {
      workflowTaskCompletedEventId: String(workflowTaskCompletedEventId),
      searchAttributes: upsert.message,
    });
    draft.update({ searchAttributes: mergePayloadMap(draft.state.searchAttributes, upsert.fields) });
    return false;
  },
};

function validateModify(command: ProtoCommand, state: MutableState, scope: CompletionScope): CommandRejection | null {
  const reject = (why: string): CommandRejection => ({
    cause: badModify,
    message: `MODIFY_WORKFLOW_PROPERTIES: ${why}`,
  });
  const upsert = payloadMapOf(command, modifyMember, 'upsertedMemo', 'fields');
  if (upsert === null) {
    return reject(`${modifyMember}.upsertedMemo.fields is required`);
  }
  const malformed = malformedPayloadMap(upsert.fields);
  if (malformed !== null) {
    return reject(`memo: ${malformed}`);
  }
  const maps = mapsOf(scope, state);
  const merged = mergePayloadMap(maps.memo, upsert.fields);
  const memoBytes = payloadMapBytes(merged);
  if (memoBytes > MEMO_TOTAL_BYTES_MAX) {
    return reject(`memo would be ${memoBytes} bytes, over the limit of ${MEMO_TOTAL_BYTES_MAX}; store less in it`);
  }
  maps.memo = merged;
  return null;
}

const modifyWorkflowPropertiesHandler: CommandHandler = {
  closesRun: false,
  validate: validateModify,
  apply: (draft, command, workflowTaskCompletedEventId) => {
    const upsert = payloadMapOf(command, modifyMember, 'upsertedMemo', 'fields');
    invariant(upsert !== null, 'MODIFY_WORKFLOW_PROPERTIES was validated');
    draft.append(looseEvent('EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED'), {
      workflowTaskCompletedEventId: String(workflowTaskCompletedEventId),
      upsertedMemo: upsert.message,
    });
    draft.update({ memo: mergePayloadMap(draft.state.memo, upsert.fields) });
    return false;
  },
};

/** The marker, search attribute and workflow property command handlers, to be merged into the default table. */
export const markerCommandHandlers: CommandHandlerTable = {
  COMMAND_TYPE_RECORD_MARKER: recordMarkerHandler,
  COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: upsertSearchAttributesHandler,
  COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES: modifyWorkflowPropertiesHandler,
};
