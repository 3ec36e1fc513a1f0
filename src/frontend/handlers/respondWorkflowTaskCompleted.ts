/**
 * WorkflowService/RespondWorkflowTaskCompleted (TEMPORAL-API.md §5.2, §5.7): applies the worker's commands to the
 * task its token names, committed through the run's shard. A malformed token → INVALID_ARGUMENT; a task that is not
 * the current started one, or a closed run → NOT_FOUND; a refused completion → INVALID_ARGUMENT after the task
 * failure is written. `stickyAttributes` set the run's sticky queue (§5.6); without them stickiness is cleared.
 * Update protocol `messages` (§5.9) are decoded and handed to the completion. Not yet honoured:
 * `returnNewWorkflowTask` (the next task goes through a poll, which §4 allows) and `queryResults` (accepted and
 * dropped: queries are answered through legacy query tasks).
 */
import type { WorkflowTaskCompletedAttributes } from '../../actors/history/events.js';
import type { Stickiness } from '../../actors/mutableState/mutableState.js';
import type { ProtoCommand } from '../../actors/workflowTask/commandHandlers.js';
import { completeWorkflowTask } from '../../actors/workflowTask/completeWorkflowTask.js';
import { requireEngine } from '../engine/requireEngine.js';
import { InvalidArgumentError, NamespaceNotFoundError } from '../errors.js';
import type { ProtoObject } from '../proto/protoCodec.js';
import { decodeProtocolMessages } from '../proto/protocolMessages.js';
import { optionalBytes, optionalIdentifier, requireNamespace } from '../validation/requestFields.js';
import type { CallContext } from './handlerTypes.js';
import { messageField, optionalDurationMs } from './startRequestMapping.js';

/** The sticky schedule-to-start timeout when the worker sends none: the TS worker's 10 s (§10). */
export const STICKY_SCHEDULE_TO_START_DEFAULT_MS = 10_000;
/** The largest sticky schedule-to-start timeout accepted; longer ones are capped so a dead worker costs ≤ 60 s. */
export const STICKY_SCHEDULE_TO_START_MAX_MS = 60_000;

type CompletionMetadata = Omit<WorkflowTaskCompletedAttributes, 'scheduledEventId' | 'startedEventId' | 'identity'>;

/** `{}` once the completion is committed. */
export async function respondWorkflowTaskCompleted(request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  const engine = requireEngine(call);
  const namespace = requireNamespace(request.namespace);
  if (call.services.namespaces.byName(namespace) === undefined) throw new NamespaceNotFoundError(namespace);
  const taskToken = requireTaskToken(request.taskToken);
  const identity = optionalIdentifier(request.identity, 'identity');
  const commands = commandsOf(request.commands);
  const metadata = metadataOf(request);
  const messages = decodeProtocolMessages(request.messages);
  const stickiness = stickinessOf(request.stickyAttributes);
  const forceCreateNewWorkflowTask = request.forceCreateNewWorkflowTask === true;
  await engine.respondToWorkflowTask(namespace, taskToken, (state, token, context) =>
    completeWorkflowTask(
      state,
      { task: token, identity, commands, messages, metadata, stickiness, forceCreateNewWorkflowTask },
      context
    )
  );
  return {};
}

/** The request's non-empty task token. */
export function requireTaskToken(value: unknown): Uint8Array {
  const bytes = optionalBytes(value, 'taskToken');
  if (bytes.length === 0) throw new InvalidArgumentError('taskToken is required: pass the token the poll returned');
  return bytes;
}

/**
 * The run's stickiness from `stickyAttributes{workerTaskQueue{name}, scheduleToStartTimeout}`: null (no stickiness)
 * when absent or without a queue name; the timeout defaults to 10 s and is capped at 60 s.
 */
export function stickinessOf(value: unknown): Stickiness | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object') throw new InvalidArgumentError('stickyAttributes must be a message');
  const name = messageField(messageField(value, 'workerTaskQueue'), 'name');
  const stickyTaskQueue = optionalIdentifier(name, 'stickyAttributes.workerTaskQueue.name');
  if (stickyTaskQueue === '') return null;
  const timeoutMs = optionalDurationMs(
    messageField(value, 'scheduleToStartTimeout'),
    'stickyAttributes.scheduleToStartTimeout'
  );
  return {
    stickyTaskQueue,
    scheduleToStartTimeoutMs:
      timeoutMs === 0 ? STICKY_SCHEDULE_TO_START_DEFAULT_MS : Math.min(timeoutMs, STICKY_SCHEDULE_TO_START_MAX_MS),
  };
}

function commandsOf(value: unknown): ProtoCommand[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new InvalidArgumentError('commands must be a list of Command messages');
  return value.map((command: unknown, index) => {
    if (typeof command !== 'object' || command === null || typeof (command as ProtoCommand).commandType !== 'string') {
      throw new InvalidArgumentError(`commands[${index}] has no commandType`);
    }
    return command as ProtoCommand;
  });
}

/** The fields WorkflowTaskCompleted copies verbatim from the request (§5.7), when present. */
function metadataOf(request: ProtoObject): CompletionMetadata {
  const metadata: Record<string, unknown> = {};
  if (typeof request.binaryChecksum === 'string' && request.binaryChecksum !== '') {
    metadata.binaryChecksum = request.binaryChecksum;
  }
  for (const field of ['workerVersionStamp', 'sdkMetadata', 'meteringMetadata', 'deployment'] as const) {
    const value = request[field];
    if (typeof value === 'object' && value !== null) {
      metadata[field === 'workerVersionStamp' ? 'workerVersion' : field] = value;
    }
  }
  const behavior = request.versioningBehavior;
  if (typeof behavior === 'string' && !behavior.endsWith('_UNSPECIFIED')) metadata.versioningBehavior = behavior;
  return metadata as CompletionMetadata;
}
