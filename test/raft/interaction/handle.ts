/**
 * The directive table of the interaction scripts and the entry point the datadriven runner calls for each
 * block (etcd-raft's `InteractionEnv.Handle`). A handler prints into `env.output`; a block that prints nothing
 * answers `ok`. Expected refusals (a dropped proposal, a response from a non-member) are printed by the
 * handlers; anything else thrown, an AssertionError from the core above all, fails the script.
 */
import type { TestCommand } from '../../support/datadriven.js';
import type { DirectiveHandler, InteractionEnv } from './env.js';
import { handleAddNodes } from './handlers/addNodes.js';
import { handleCampaign } from './handlers/campaign.js';
import { handleCompact } from './handlers/compact.js';
import { handleDeliverMsgs } from './handlers/deliverMsgs.js';
import { handleLogLevel } from './handlers/logLevel.js';
import { handleProcessReady } from './handlers/processReady.js';
import { handlePropose } from './handlers/propose.js';
import { handleProposeConfChange } from './handlers/proposeConfChange.js';
import { handleRaftLog } from './handlers/raftLog.js';
import { handleRaftState } from './handlers/raftState.js';
import { handleReadIndex } from './handlers/readIndex.js';
import { handleReportUnreachable } from './handlers/reportUnreachable.js';
import { handleSetRandomizedElectionTimeout } from './handlers/setRandomizedElectionTimeout.js';
import { handleStabilize } from './handlers/stabilize.js';
import { handleStatus } from './handlers/status.js';
import { handleTickElection } from './handlers/tickElection.js';
import { handleTickHeartbeat } from './handlers/tickHeartbeat.js';
import { handleTransferLeadership } from './handlers/transferLeadership.js';

const HANDLERS: Readonly<Record<string, DirectiveHandler>> = {
  'add-nodes': handleAddNodes,
  campaign: handleCampaign,
  compact: handleCompact,
  'deliver-msgs': handleDeliverMsgs,
  'log-level': handleLogLevel,
  'process-ready': handleProcessReady,
  propose: handlePropose,
  'propose-conf-change': handleProposeConfChange,
  'raft-log': handleRaftLog,
  'raft-state': handleRaftState,
  'read-index': handleReadIndex,
  'report-unreachable': handleReportUnreachable,
  'set-randomized-election-timeout': handleSetRandomizedElectionTimeout,
  stabilize: handleStabilize,
  status: handleStatus,
  'tick-election': handleTickElection,
  'tick-heartbeat': handleTickHeartbeat,
  'transfer-leadership': handleTransferLeadership,
};

/** Runs one script block against `env` and returns its output. */
export function handleInteraction(env: InteractionEnv, command: TestCommand): string {
  const handler = HANDLERS[command.directive];
  if (handler === undefined) command.fail('unknown directive');
  env.output.take(); // anything left over from a failed block belongs to no one
  handler(env, command);
  const output = env.output.take();
  return output === '' ? 'ok' : output;
}
