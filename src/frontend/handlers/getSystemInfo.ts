/**
 * WorkflowService/GetSystemInfo: the first call of every client and worker; the worker fails without it
 * (TEMPORAL-API.md §2).
 */
import type { ProtoObject } from '../proto/protoCodec.js';
import type { CallContext } from './handlerTypes.js';

/**
 * The Temporal server version Cairn reports. SDKs compare it only for feature gates older than 1.27; "1.27.0" was
 * measured to be accepted by the pinned SDK (TEMPORAL-API.md §2).
 */
export const reportedServerVersion = '1.27.0';

/**
 * Exactly the capabilities of TEMPORAL-API.md §2 'Advertising'. Each flag changes client or worker behaviour, so only
 * what Cairn serves is advertised:
 * - `sdkMetadata`: the worker sends its flags in WFT completions; Cairn must record them (replay depends on them).
 * - `signalAndQueryHeader`: signals and queries carry headers.
 * - `encodedFailureAttributes`: failure messages may be encoded by a payload codec.
 * - `upsertMemo`: MODIFY_WORKFLOW_PROPERTIES is supported.
 * - `activityFailureIncludeHeartbeat`: activity failures carry `lastHeartbeatDetails`.
 * - `internalErrorDifferentiation`: clients stop retrying INTERNAL, so "not leader" is UNAVAILABLE (errors.ts).
 * Not advertised: schedules, eager start, build-id versioning, Nexus, count-group-by, server-scaled deployments.
 */
export const advertisedCapabilities = {
  signalAndQueryHeader: true,
  internalErrorDifferentiation: true,
  activityFailureIncludeHeartbeat: true,
  encodedFailureAttributes: true,
  upsertMemo: true,
  sdkMetadata: true,
} as const;

/** Answers `{serverVersion, capabilities}`; the request has no fields. */
export async function getSystemInfo(_request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  return { serverVersion: call.services.serverVersion, capabilities: { ...advertisedCapabilities } };
}
