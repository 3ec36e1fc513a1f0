/** `transfer-leadership from=<id> to=<id>`: asks node `from` to hand leadership to `to` (thesis §3.10). */
import type { TestCommand } from '../../../support/datadriven.js';
import { rejectUnknownKeys } from '../args.js';
import type { InteractionEnv } from '../env.js';

export function handleTransferLeadership(env: InteractionEnv, command: TestCommand): void {
  rejectUnknownKeys(command, ['from', 'to']);
  const from = command.scanInt('from');
  const to = command.scanInt('to');
  if (!env.hasNode(to)) command.fail(`no node ${to}`);
  env.node(from).rawNode.transferLeader(to);
}
