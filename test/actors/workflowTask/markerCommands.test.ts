/**
 * Goal: RECORD_MARKER, UPSERT_WORKFLOW_SEARCH_ATTRIBUTES and MODIFY_WORKFLOW_PROPERTIES (TEMPORAL-API.md §5.5, §10):
 * the events they write, with payloads passed through verbatim; how upserts merge into the run's search attributes
 * and memo (replace, add, unset by an empty payload or the JSON empty list); the §10 search attribute limits and the
 * memo limit, exactly at and one past each bound; and what the TS SDK's `patched()` sends passing as it is.
 * Method: one or two completions on a harness run with realistic payloads (Buffers, as proto-loader decodes them);
 * refused completions are checked for their cause and an unchanged state; histories pass the shape check.
 */

import { describe, expect, it } from 'vitest';

import type { ProtoMessage } from '../../../src/actors/history/events.js';
import { assertHistoryShape } from '../../../src/actors/history/historyShape.js';
import type { ProtoCommand } from '../../../src/actors/workflowTask/commandHandlers.js';
import {
  MEMO_TOTAL_BYTES_MAX,
  SEARCH_ATTRIBUTE_KEYS_MAX,
  SEARCH_ATTRIBUTE_VALUE_BYTES_MAX,
} from '../../../src/actors/workflowTask/markerCommands.js';
import type { TransitionResult } from '../../../src/actors/workflowTask/transition.js';
import { completeWith, jsonPayload, signal } from '../timers/timerRun.js';
import { outline, RunHarness } from './runHarness.js';

function recordMarker(attributes: ProtoMessage): ProtoCommand {
  return {
    commandType: 'COMMAND_TYPE_RECORD_MARKER',
    recordMarkerCommandAttributes: attributes,
    attributes: 'recordMarkerCommandAttributes',
  };
}

function upsert(indexedFields: ProtoMessage): ProtoCommand {
  return {
    commandType: 'COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES',
    upsertWorkflowSearchAttributesCommandAttributes: { searchAttributes: { indexedFields } },
    attributes: 'upsertWorkflowSearchAttributesCommandAttributes',
  };
}

function modifyMemo(fields: ProtoMessage): ProtoCommand {
  return {
    commandType: 'COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES',
    modifyWorkflowPropertiesCommandAttributes: { upsertedMemo: { fields } },
    attributes: 'modifyWorkflowPropertiesCommandAttributes',
  };
}

/** The payload the TS SDK sends to unset a search attribute: the JSON empty list. */
const unsetPayload = jsonPayload('[]', 'KeywordList');
/** An SDK's encoding of null: `binary/null` and no data. */
const nullPayload = { metadata: { encoding: Buffer.from('binary/null') }, data: Buffer.alloc(0) };

/** A new run's state: no search attributes, no memo. */
const fresh = new RunHarness().state;

/** A fresh run completing its first task with each command list in turn (a signal gives each later one a task). */
function completeInTurn(...completions: ProtoCommand[][]): { run: RunHarness; results: TransitionResult[] } {
  const run = new RunHarness();
  const results: TransitionResult[] = [];
  for (const [index, commands] of completions.entries()) {
    if (index > 0) signal(run);
    run.poll();
    results.push(completeWith(run, commands));
  }
  assertHistoryShape(run.history);
  return { run, results };
}

/** Checks the last completion was refused with `cause` and left search attributes and memo as they were. */
function expectRefused(run: RunHarness, result: TransitionResult, cause: string, before: RunHarness['state']): void {
  expect(outline(result.events)[0]).toMatch(/WORKFLOW_TASK_FAILED$/);
  expect(result.events[0]).toMatchObject({ workflowTaskFailedEventAttributes: { cause } });
  expect(run.state.searchAttributes).toEqual(before.searchAttributes);
  expect(run.state.memo).toEqual(before.memo);
}

/** `count` search attributes `K000…` with `dataBytes` of data each. */
function manyAttributes(count: number, dataBytes: number): ProtoMessage {
  const fields: Record<string, unknown> = {};
  for (let index = 0; index < count; index += 1) {
    fields[`K${String(index).padStart(3, '0')}`] = { metadata: {}, data: Buffer.alloc(dataBytes, 0x61) };
  }
  return fields;
}

describe('marker and property commands', () => {
  it("patched(): core's core_patch marker and the TemporalChangeVersion upsert pass and are written verbatim", () => {
    const details = { patch_data: { payloads: [jsonPayload('{"id":"my-change","deprecated":false}')] } };
    const changeVersion = jsonPayload('["my-change"]', 'KeywordList');
    const { run, results } = completeInTurn([
      recordMarker({ markerName: 'core_patch', details }),
      upsert({ TemporalChangeVersion: changeVersion }),
    ]);
    expect(outline(results[0]!.events)).toEqual([
      '4 WORKFLOW_TASK_COMPLETED',
      '5 MARKER_RECORDED',
      '6 UPSERT_WORKFLOW_SEARCH_ATTRIBUTES',
    ]);
    expect(results[0]!.events[1]).toMatchObject({
      markerRecordedEventAttributes: { markerName: 'core_patch', details, workflowTaskCompletedEventId: '4' },
    });
    expect(results[0]!.events[2]).toMatchObject({
      upsertWorkflowSearchAttributesEventAttributes: {
        workflowTaskCompletedEventId: '4',
        searchAttributes: { indexedFields: { TemporalChangeVersion: changeVersion } },
      },
    });
    expect(run.state.searchAttributes).toEqual({ TemporalChangeVersion: changeVersion });
    expect(run.state.workflowTask).toEqual({ phase: 'none' });
  });

  it('a local activity marker keeps its header and failure', () => {
    const header = { fields: { tracing: jsonPayload('"abc"') } };
    const failure = { message: 'boom', applicationFailureInfo: { type: 'Error' } };
    const details = { data: { payloads: [jsonPayload('{"seq":1,"activityType":"greet"}')] } };
    const marker = { markerName: 'core_local_activity', details, header, failure };
    const { results } = completeInTurn([recordMarker(marker)]);
    expect(results[0]!.events[1]).toMatchObject({ markerRecordedEventAttributes: marker });
  });

  it('a marker without a name fails the task as BAD_RECORD_MARKER_ATTRIBUTES', () => {
    for (const command of [
      recordMarker({ markerName: '' }),
      recordMarker({}),
      { commandType: 'COMMAND_TYPE_RECORD_MARKER' },
    ]) {
      const { run, results } = completeInTurn([command]);
      expectRefused(run, results[0]!, 'WORKFLOW_TASK_FAILED_CAUSE_BAD_RECORD_MARKER_ATTRIBUTES', fresh);
    }
  });

  it('upserts replace and add keys; an empty payload or the JSON empty list removes a key', () => {
    const a1 = jsonPayload('"a1"');
    const a2 = jsonPayload('"a2"');
    const b = jsonPayload('1', 'Int');
    const c = jsonPayload('true', 'Bool');
    const { run } = completeInTurn(
      [upsert({ A: a1, B: b, C: c })],
      [upsert({ A: a2, B: unsetPayload, C: nullPayload, Missing: unsetPayload })]
    );
    expect(run.state.searchAttributes).toEqual({ A: a2 });
    signal(run);
    run.poll();
    completeWith(run, [upsert({ A: nullPayload })]);
    expect(run.state.searchAttributes).toBeNull();
  });

  it(`at most ${SEARCH_ATTRIBUTE_KEYS_MAX} keys, counted after the merge`, () => {
    const bad = 'WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES';
    const full = completeInTurn([upsert(manyAttributes(SEARCH_ATTRIBUTE_KEYS_MAX, 10))]).run;
    expect(Object.keys(full.state.searchAttributes ?? {})).toHaveLength(SEARCH_ATTRIBUTE_KEYS_MAX);
    const tooMany = completeInTurn([upsert(manyAttributes(SEARCH_ATTRIBUTE_KEYS_MAX + 1, 10))]);
    expectRefused(tooMany.run, tooMany.results[0]!, bad, fresh);
    expect(tooMany.run.state.searchAttributes).toBeNull();

    const before = full.state;
    signal(full);
    full.poll();
    expectRefused(full, completeWith(full, [upsert({ Extra: jsonPayload('1') })]), bad, before);
    signal(full);
    full.poll();
    completeWith(full, [upsert({ K000: jsonPayload('"replaced"'), K001: unsetPayload, Extra: jsonPayload('1') })]);
    expect(full.state.searchAttributes?.['K000']).toEqual(jsonPayload('"replaced"'));
    expect(Object.keys(full.state.searchAttributes ?? {})).toHaveLength(SEARCH_ATTRIBUTE_KEYS_MAX);
  });

  it('limits apply to the merge of all upserts of one completion, in command order', () => {
    const half = SEARCH_ATTRIBUTE_KEYS_MAX / 2;
    const first = manyAttributes(half, 10);
    const second = Object.fromEntries(Object.entries(first).map(([key, value]) => [`${key}b`, value]));
    const tooMany = completeInTurn([upsert(first), upsert(second), upsert({ Extra: jsonPayload('1') })]);
    expectRefused(tooMany.run, tooMany.results[0]!, 'WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES', fresh);
    const unsetFirst = Object.fromEntries(Object.keys(first).map((key) => [key, unsetPayload]));
    const fits = completeInTurn([
      upsert(first),
      upsert(second),
      upsert(unsetFirst),
      upsert({ Extra: jsonPayload('1') }),
    ]);
    expect(Object.keys(fits.run.state.searchAttributes ?? {})).toHaveLength(half + 1);
    const halfMemo = { metadata: {}, data: Buffer.alloc(MEMO_TOTAL_BYTES_MAX / 2, 0x61) };
    const memo = completeInTurn([modifyMemo({ a: halfMemo }), modifyMemo({ b: halfMemo })]);
    expectRefused(
      memo.run,
      memo.results[0]!,
      'WORKFLOW_TASK_FAILED_CAUSE_BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES',
      fresh
    );
  });

  it(`at most ${SEARCH_ATTRIBUTE_VALUE_BYTES_MAX} bytes per value and 40 KB in total`, () => {
    const bad = 'WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES';
    const atValueLimit = completeInTurn([upsert(manyAttributes(1, SEARCH_ATTRIBUTE_VALUE_BYTES_MAX))]);
    expect(atValueLimit.run.state.searchAttributes).not.toBeNull();
    const overValue = completeInTurn([upsert(manyAttributes(1, SEARCH_ATTRIBUTE_VALUE_BYTES_MAX + 1))]);
    expectRefused(overValue.run, overValue.results[0]!, bad, fresh);
    expect(overValue.results[0]!.effects).toContainEqual(
      expect.objectContaining({ kind: 'respondError', message: expect.stringContaining('2049 bytes') })
    );
    // Each entry is 4 key bytes + 2048 data bytes: 19 entries are 38,988 bytes, 20 are 41,040 (limit 40,960).
    const underTotal = completeInTurn([upsert(manyAttributes(19, SEARCH_ATTRIBUTE_VALUE_BYTES_MAX))]);
    expect(Object.keys(underTotal.run.state.searchAttributes ?? {})).toHaveLength(19);
    const overTotal = completeInTurn([upsert(manyAttributes(20, SEARCH_ATTRIBUTE_VALUE_BYTES_MAX))]);
    expectRefused(overTotal.run, overTotal.results[0]!, bad, fresh);
  });

  it('malformed upserts fail the task as BAD_SEARCH_ATTRIBUTES', () => {
    const malformed: ProtoCommand[] = [
      upsert({ A: 7 }),
      upsert({ A: { metadata: {}, data: 42 } }),
      upsert({ '': jsonPayload('1') }),
      {
        commandType: 'COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES',
        upsertWorkflowSearchAttributesCommandAttributes: {},
      },
    ];
    for (const command of malformed) {
      const { run, results } = completeInTurn([command]);
      expectRefused(run, results[0]!, 'WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES', fresh);
    }
  });

  it('MODIFY_WORKFLOW_PROPERTIES writes WorkflowPropertiesModified and merges the memo', () => {
    const note = jsonPayload('"first"');
    const { run, results } = completeInTurn(
      [modifyMemo({ note, owner: jsonPayload('"ops"') })],
      [modifyMemo({ owner: nullPayload, note: jsonPayload('"second"') })]
    );
    expect(outline(results[0]!.events)).toEqual(['4 WORKFLOW_TASK_COMPLETED', '5 WORKFLOW_PROPERTIES_MODIFIED']);
    expect(results[0]!.events[1]).toMatchObject({
      workflowPropertiesModifiedEventAttributes: {
        workflowTaskCompletedEventId: '4',
        upsertedMemo: { fields: { note, owner: jsonPayload('"ops"') } },
      },
    });
    expect(run.state.memo).toEqual({ note: jsonPayload('"second"') });
  });

  it('a memo over 2 MB or a missing upsertedMemo fails the task as BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES', () => {
    const bad = 'WORKFLOW_TASK_FAILED_CAUSE_BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES';
    const big = { metadata: {}, data: Buffer.alloc(MEMO_TOTAL_BYTES_MAX, 0x61) };
    const over = completeInTurn([modifyMemo({ m: big })]);
    expectRefused(over.run, over.results[0]!, bad, fresh);
    const atLimit = completeInTurn([modifyMemo({ m: { metadata: {}, data: Buffer.alloc(MEMO_TOTAL_BYTES_MAX - 1) } })]);
    expect(atLimit.run.state.memo).not.toBeNull();
    const missing = completeInTurn([
      { commandType: 'COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES', modifyWorkflowPropertiesCommandAttributes: {} },
    ]);
    expectRefused(missing.run, missing.results[0]!, bad, fresh);
  });
});
