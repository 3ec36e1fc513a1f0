/**
 * `deliver-msgs [<id>...] [drop=(<id>...)] [type=<messageType>]`: for each recipient in argument order, takes
 * its in-flight messages (only those of `type`, if given) in send order and steps them into it, or drops them.
 * Prints each message (`dropped: ` first when dropped), and `no messages` when none matched. A step that the
 * RawNode refuses with a typed error (a response from a non-member) prints the error.
 */
import { StepPeerNotFoundError } from '../../../../src/raft/core/errors.js';
import { MESSAGE_TYPES, type Message, type MessageType } from '../../../../src/raft/core/types.js';
import type { TestCommand } from '../../../support/datadriven.js';
import { nodeIdArgs, rejectUnknownKeys } from '../args.js';
import { describeMessage } from '../describe.js';
import type { InteractionEnv } from '../env.js';

/** A typo in `type=` would otherwise match nothing and pass silently. */
function messageTypeArg(command: TestCommand, value: string): MessageType {
  const type = MESSAGE_TYPES.find((candidate) => candidate === value);
  if (type === undefined) command.fail(`unknown message type ${value}`);
  return type;
}

export interface Recipient {
  readonly id: number;
  readonly drop: boolean;
}

/** Removes and returns the in-flight messages to `to` (of `type`, if given), keeping the others in order. */
function takeMessages(env: InteractionEnv, to: number, type: MessageType | undefined): Message[] {
  const taken: Message[] = [];
  const kept: Message[] = [];
  for (const message of env.messages) {
    if (message.to === to && (type === undefined || message.type === type)) taken.push(message);
    else kept.push(message);
  }
  env.messages = kept;
  return taken;
}

function stepMessage(env: InteractionEnv, message: Message): void {
  if (!env.hasNode(message.to)) {
    env.output.error(`node ${message.to} does not exist: message lost`);
    return;
  }
  try {
    env.node(message.to).rawNode.step(message);
  } catch (error) {
    if (!(error instanceof StepPeerNotFoundError)) throw error;
    env.output.error(`${error.name}: ${error.message}`);
  }
}

/** Delivers or drops the in-flight messages of each recipient; returns how many were handled. */
export function deliverMessages(env: InteractionEnv, recipients: readonly Recipient[], type?: MessageType): number {
  let handled = 0;
  for (const recipient of recipients) {
    for (const message of takeMessages(env, recipient.id, type)) {
      handled++;
      env.output.line(`${recipient.drop ? 'dropped: ' : ''}${describeMessage(message)}`);
      if (!recipient.drop) stepMessage(env, message);
    }
  }
  return handled;
}

/** Whether any in-flight message waits for `id`. */
export function hasMessagesFor(env: InteractionEnv, id: number): boolean {
  return env.messages.some((message) => message.to === id);
}

export function handleDeliverMsgs(env: InteractionEnv, command: TestCommand): void {
  rejectUnknownKeys(command, ['drop', 'type']);
  const recipients: Recipient[] = nodeIdArgs(command).map((id) => ({ id, drop: false }));
  if (command.hasArg('drop')) {
    for (const id of command.scanInts('drop')) {
      if (recipients.some((recipient) => recipient.id === id)) command.fail(`cannot both deliver and drop to ${id}`);
      recipients.push({ id, drop: true });
    }
  }
  if (recipients.length === 0) command.fail('needs recipients or drop=(...)');
  const type = command.hasArg('type') ? messageTypeArg(command, command.scanArg('type')) : undefined;
  if (deliverMessages(env, recipients, type) === 0) env.output.line('no messages');
}
