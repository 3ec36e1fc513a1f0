/**
 * Goal: update protocol messages cross the wire intact (TEMPORAL-API.md §5.9): a poll answer's Request message reads
 * back correctly with the SDK's own protobuf classes, and Acceptance / Response / Rejection messages the SDK's classes
 * encode decode into the engine's ProtocolMessages and drive the engine to events that encode as HistoryEvents.
 * Malformed or foreign bodies are refused with INVALID_ARGUMENT.
 * Method: differential round trips between Cairn's codec (protobufjs root copied from @temporalio/proto, proto-loader
 * conversion) and the static classes of @temporalio/proto 1.24.0, on hand-built sample messages.
 */
import { google, temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../src/actors/history/events.js';
import type { ProtocolMessage } from '../../src/actors/updates/updateMessages.js';
import { InvalidArgumentError } from '../../src/frontend/errors.js';
import {
  decodeProtocolMessage,
  decodeProtocolMessages,
  encodeProtocolMessage,
  ProtocolMessageError,
} from '../../src/frontend/proto/protocolMessages.js';
import { decodeMessage, encodeMessage, type ProtoObject } from '../../src/frontend/proto/protoCodec.js';
import { temporalProtoRoot } from '../../src/frontend/proto/temporalRoot.js';
import { protocolCommand, UpdateHarness, updateRequest } from '../actors/updates/updateHarness.js';

const messageType = (): ReturnType<ReturnType<typeof temporalProtoRoot>['lookupType']> =>
  temporalProtoRoot().lookupType('temporal.api.protocol.v1.Message');

/** A message the SDK's classes encode, as Cairn's request decoder (proto-loader conversion) hands it over. */
function fromSdk(id: string, updateId: string, typeName: string, bodyBytes: Uint8Array): ProtoObject {
  const body = google.protobuf.Any.create({ type_url: `type.googleapis.com/${typeName}`, value: bodyBytes });
  const bytes = temporal.api.protocol.v1.Message.encode({ id, protocolInstanceId: updateId, body }).finish();
  return decodeMessage(messageType(), bytes);
}

const payload = (text: string): temporal.api.common.v1.IPayload => ({
  metadata: { encoding: Buffer.from('json/plain') },
  data: Buffer.from(JSON.stringify(text)),
});

describe('encodeProtocolMessage', () => {
  it('encodes a request message the SDK classes read back field for field', () => {
    const request = updateRequest('u1');
    const message: ProtocolMessage = {
      id: 'u1/request',
      protocolInstanceId: 'u1',
      eventId: 6,
      body: { kind: 'request', request },
    };
    const bytes = encodeMessage(messageType(), encodeProtocolMessage(message));
    const decoded = temporal.api.protocol.v1.Message.decode(bytes);
    expect(decoded.id).toBe('u1/request');
    expect(decoded.protocolInstanceId).toBe('u1');
    expect(decoded.eventId?.toString()).toBe('6');
    expect(decoded.body?.type_url).toBe('type.googleapis.com/temporal.api.update.v1.Request');
    const sdkRequest = temporal.api.update.v1.Request.decode(decoded.body?.value ?? new Uint8Array());
    expect(sdkRequest.meta?.updateId).toBe('u1');
    expect(sdkRequest.meta?.identity).toBe('client');
    expect(sdkRequest.input?.name).toBe('setGreeting');
    expect(Buffer.from(sdkRequest.input?.args?.payloads?.[0]?.data ?? []).toString()).toBe('"u1"');
  });

  it('round-trips every body kind through the wire form', () => {
    const outcome = { success: { payloads: [{ data: Buffer.from('"ok"') }] }, value: 'success' };
    const bodies: ProtocolMessage['body'][] = [
      { kind: 'request', request: { meta: { updateId: 'u1', identity: 'c' } } },
      {
        kind: 'acceptance',
        acceptedRequestMessageId: 'u1/request',
        acceptedRequestSequencingEventId: '6',
        acceptedRequest: { meta: { updateId: 'u1', identity: 'c' } },
      },
      { kind: 'response', meta: { updateId: 'u1', identity: 'w' }, outcome },
      {
        kind: 'rejection',
        rejectedRequestMessageId: 'u1/request',
        rejectedRequestSequencingEventId: '6',
        rejectedRequest: null,
        failure: { message: 'no' },
      },
    ];
    for (const body of bodies) {
      const message: ProtocolMessage = { id: 'm', protocolInstanceId: 'u1', eventId: 6, body };
      const wire = decodeMessage(messageType(), encodeMessage(messageType(), encodeProtocolMessage(message)));
      expect(decodeProtocolMessage(wire, 0)).toEqual(message);
    }
  });
});

describe('decodeProtocolMessage', () => {
  it('decodes an Acceptance the SDK classes encoded', () => {
    const bytes = temporal.api.update.v1.Acceptance.encode(
      temporal.api.update.v1.Acceptance.fromObject({
        acceptedRequestMessageId: 'u1/request',
        acceptedRequestSequencingEventId: '6',
        acceptedRequest: { meta: { updateId: 'u1', identity: 'client' }, input: { name: 'setGreeting' } },
      })
    ).finish();
    const message = decodeProtocolMessage(fromSdk('u1/accept', 'u1', 'temporal.api.update.v1.Acceptance', bytes), 0);
    expect(message).toEqual({
      id: 'u1/accept',
      protocolInstanceId: 'u1',
      eventId: null,
      body: {
        kind: 'acceptance',
        acceptedRequestMessageId: 'u1/request',
        acceptedRequestSequencingEventId: '6',
        acceptedRequest: { meta: { updateId: 'u1', identity: 'client' }, input: { name: 'setGreeting' } },
      },
    });
  });

  it('decodes a Response and a Rejection the SDK classes encoded', () => {
    const responseBytes = temporal.api.update.v1.Response.encode({
      meta: { updateId: 'u1', identity: 'worker' },
      outcome: { success: { payloads: [payload('done')] } },
    }).finish();
    const response = decodeProtocolMessage(fromSdk('r', 'u1', 'temporal.api.update.v1.Response', responseBytes), 0);
    expect(response.body).toEqual({
      kind: 'response',
      meta: { updateId: 'u1', identity: 'worker' },
      outcome: { success: { payloads: [payload('done')] }, value: 'success' },
    });
    const rejectionBytes = temporal.api.update.v1.Rejection.encode(
      temporal.api.update.v1.Rejection.fromObject({
        rejectedRequestMessageId: 'u1/request',
        rejectedRequestSequencingEventId: '6',
        failure: { message: 'bad input', applicationFailureInfo: { type: 'ValidationError' } },
      })
    ).finish();
    const rejection = decodeProtocolMessage(fromSdk('x', 'u1', 'temporal.api.update.v1.Rejection', rejectionBytes), 0);
    expect(rejection.body).toEqual({
      kind: 'rejection',
      rejectedRequestMessageId: 'u1/request',
      rejectedRequestSequencingEventId: '6',
      rejectedRequest: null,
      failure: {
        message: 'bad input',
        applicationFailureInfo: { type: 'ValidationError' },
        failureInfo: 'applicationFailureInfo',
      },
    });
  });

  it('drives the engine to Accepted and Completed events that encode as HistoryEvents', () => {
    const h = new UpdateHarness();
    h.admit('u1');
    const request = h.pollMessages()[0];
    expect(request?.eventId).toBe(2);
    const acceptanceBytes = temporal.api.update.v1.Acceptance.encode(
      temporal.api.update.v1.Acceptance.fromObject({
        acceptedRequestMessageId: 'u1/request',
        acceptedRequestSequencingEventId: '2',
        acceptedRequest: temporal.api.update.v1.Request.decode(
          encodeMessage(temporalProtoRoot().lookupType('temporal.api.update.v1.Request'), updateRequest('u1'))
        ),
      })
    ).finish();
    const responseBytes = temporal.api.update.v1.Response.encode({
      meta: { updateId: 'u1', identity: 'worker' },
      outcome: { success: { payloads: [payload('done')] } },
    }).finish();
    const messages = decodeProtocolMessages([
      fromSdk('a', 'u1', 'temporal.api.update.v1.Acceptance', acceptanceBytes),
      fromSdk('r', 'u1', 'temporal.api.update.v1.Response', responseBytes),
    ]);
    h.completeWith([protocolCommand('a'), protocolCommand('r')], messages);
    const historyEventType = temporalProtoRoot().lookupType('temporal.api.history.v1.HistoryEvent');
    const written = h.history.filter((event) => event.eventType.includes('UPDATE'));
    expect(written.map((event) => event.eventType)).toEqual([
      'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
      'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED',
    ]);
    const roundTripped = written.map((event: HistoryEvent) =>
      temporal.api.history.v1.HistoryEvent.decode(encodeMessage(historyEventType, event as unknown as ProtoObject))
    );
    const accepted = roundTripped[0]?.workflowExecutionUpdateAcceptedEventAttributes;
    expect(accepted?.acceptedRequestSequencingEventId?.toString()).toBe('2');
    expect(accepted?.acceptedRequest?.input?.name).toBe('setGreeting');
    const completed = roundTripped[1]?.workflowExecutionUpdateCompletedEventAttributes;
    expect(completed?.acceptedEventId?.toString()).toBe(written[0]?.eventId);
    expect(completed?.meta?.updateId).toBe('u1');
    expect(Buffer.from(completed?.outcome?.success?.payloads?.[0]?.data ?? []).toString()).toBe('"done"');
  });

  it.each([
    ['no body', { id: 'm', protocolInstanceId: 'u1' }, /has no body/],
    [
      'a body of a foreign type',
      { id: 'm', body: { type_url: 'type.googleapis.com/google.protobuf.Empty', value: Buffer.alloc(0) } },
      /not an update message/,
    ],
    [
      'an unknown type URL',
      { id: 'm', body: { type_url: 'type.googleapis.com/no.such.Type', value: Buffer.alloc(0) } },
      /not an update message/,
    ],
    [
      'undecodable body bytes',
      {
        id: 'm',
        body: { type_url: 'type.googleapis.com/temporal.api.update.v1.Acceptance', value: Buffer.from([0x0a, 0xff]) },
      },
      /does not decode/,
    ],
    ['a body that is not an Any', { id: 'm', body: { type_url: 7 } }, /malformed body/],
  ])('refuses %s with INVALID_ARGUMENT', (_name, message, reason) => {
    let thrown: unknown;
    try {
      decodeProtocolMessages([message]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProtocolMessageError);
    expect(thrown).toBeInstanceOf(InvalidArgumentError);
    expect((thrown as Error).message).toMatch(reason);
  });

  it('reads absent messages as none and refuses a non-list', () => {
    expect(decodeProtocolMessages(undefined)).toEqual([]);
    expect(() => decodeProtocolMessages('x')).toThrow(ProtocolMessageError);
  });
});
