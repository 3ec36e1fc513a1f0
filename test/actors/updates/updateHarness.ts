/**
 * Test driver for updates: a {@link RunHarness} plus the wiring the lead adds to the workflow task transitions
 * (marking delivery at start, the update handlers and the unreferenced messages at completion, redelivery on
 * failure), emulated here as follow-up transitions so the update module can be tested before that wiring lands.
 */

import type { ProtoMessage } from '../../../src/actors/history/events.js';
import { admitUpdate } from '../../../src/actors/updates/admitUpdate.js';
import {
  processUnreferencedUpdateMessagesIn,
  referencedMessageIdsOf,
  updateCommandHandlers,
} from '../../../src/actors/updates/updateCommands.js';
import {
  markUpdatesDeliveredIn,
  needsWorkflowTaskForUpdates,
  redeliverUpdatesPatch,
  updateMessagesForTask,
  type ProtocolMessage,
} from '../../../src/actors/updates/updateMessages.js';
import { defaultCommandHandlers, type ProtoCommand } from '../../../src/actors/workflowTask/commandHandlers.js';
import { completeWorkflowTask } from '../../../src/actors/workflowTask/completeWorkflowTask.js';
import { failWorkflowTask } from '../../../src/actors/workflowTask/failWorkflowTask.js';
import { defaultQueueKind, scheduleWorkflowTaskIn } from '../../../src/actors/workflowTask/scheduleWorkflowTask.js';
import { TransitionDraft, type TransitionResult } from '../../../src/actors/workflowTask/transition.js';
import { RunHarness } from '../workflowTask/runHarness.js';

/** An UpdateWorkflowExecution `request` as the frontend decodes it. */
export function updateRequest(updateId: string): ProtoMessage {
  return {
    meta: { updateId, identity: 'client' },
    input: { name: 'setGreeting', args: { payloads: [{ data: Buffer.from(`"${updateId}"`) }] } },
  };
}

/** A PROTOCOL_MESSAGE command referring to `messageId`. */
export function protocolCommand(messageId: string): ProtoCommand {
  return {
    commandType: 'COMMAND_TYPE_PROTOCOL_MESSAGE',
    protocolMessageCommandAttributes: { messageId },
    attributes: 'protocolMessageCommandAttributes',
  };
}

/** The worker's acceptance of the request message `request`. */
export function acceptance(request: ProtocolMessage): ProtocolMessage {
  return {
    id: `${request.protocolInstanceId}/accept`,
    protocolInstanceId: request.protocolInstanceId,
    eventId: null,
    body: {
      kind: 'acceptance',
      acceptedRequestMessageId: request.id,
      acceptedRequestSequencingEventId: String(request.eventId),
      acceptedRequest: request.body.kind === 'request' ? request.body.request : null,
    },
  };
}

/** The worker's successful response to update `updateId`. */
export function response(updateId: string, result = 'ok'): ProtocolMessage {
  return {
    id: `${updateId}/complete`,
    protocolInstanceId: updateId,
    eventId: null,
    body: {
      kind: 'response',
      meta: { updateId, identity: 'worker' },
      outcome: { success: { payloads: [{ data: Buffer.from(`"${result}"`) }] } },
    },
  };
}

/** The worker's rejection of the request message `request`. */
export function rejection(request: ProtocolMessage, reason = 'invalid greeting'): ProtocolMessage {
  return {
    id: `${request.protocolInstanceId}/reject`,
    protocolInstanceId: request.protocolInstanceId,
    eventId: null,
    body: {
      kind: 'rejection',
      rejectedRequestMessageId: request.id,
      rejectedRequestSequencingEventId: String(request.eventId),
      rejectedRequest: request.body.kind === 'request' ? request.body.request : null,
      failure: { message: reason, applicationFailureInfo: { type: 'ValidationError' } },
    },
  };
}

/** A run under test with updates wired in. */
export class UpdateHarness extends RunHarness {
  admit(updateId: string): TransitionResult {
    return this.apply((state, context) => admitUpdate(state, { request: updateRequest(updateId) }, context));
  }

  /** Polls the scheduled task, marks delivery as the lead's start transition will, and returns the messages. */
  pollMessages(): ProtocolMessage[] {
    const { startedEventId } = this.poll();
    this.apply((state, context) => {
      const draft = new TransitionDraft(state, context);
      markUpdatesDeliveredIn(draft, startedEventId);
      return draft.finish();
    });
    return updateMessagesForTask(this.state, startedEventId);
  }

  /** Completes the started task with commands and messages, then runs the lead's post-command update steps. */
  completeWith(commands: readonly ProtoCommand[], messages: readonly ProtocolMessage[]): TransitionResult {
    const task = this.token();
    const result = this.apply((state, context) =>
      completeWorkflowTask(
        state,
        {
          task,
          identity: 'worker',
          commands,
          messages,
          metadata: {},
          stickiness: null,
          forceCreateNewWorkflowTask: false,
        },
        context,
        { ...defaultCommandHandlers, ...updateCommandHandlers }
      )
    );
    const refused = result.effects.some((effect) => effect.kind === 'respondError');
    if (refused || this.state.closeState !== null) {
      return result;
    }
    return this.apply((state, context) => {
      const draft = new TransitionDraft(state, context);
      processUnreferencedUpdateMessagesIn(draft, messages, referencedMessageIdsOf(commands));
      if (needsWorkflowTaskForUpdates(draft.state) && draft.state.workflowTask.phase === 'none') {
        scheduleWorkflowTaskIn(draft, 1, defaultQueueKind(draft.state));
      }
      return draft.finish();
    });
  }

  /** Fails the started task and hands its updates back, as the lead's failure transition will. */
  failTask(): TransitionResult {
    const task = this.token();
    return this.apply((state, context) => {
      const failed = failWorkflowTask(
        state,
        { task, cause: 'WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE', identity: 'worker' },
        context
      );
      const patch = redeliverUpdatesPatch(failed.state);
      return patch === null ? failed : { ...failed, state: { ...failed.state, ...patch } };
    });
  }
}
