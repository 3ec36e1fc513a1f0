/**
 * `propose-conf-change <id> v<n>|l<n>|r<n>`: proposes one membership change on the node, in etcd's notation:
 * `v3` adds (or promotes) voter 3, `l4` adds learner 4 (or demotes voter 4), `r5` removes node 5. A dropped
 * proposal (one change already pending, or leaving no voter) prints the error.
 */
import type { ConfChange } from '../../../../src/raft/core/types.js';
import type { TestCommand } from '../../../support/datadriven.js';
import { nodeIdArg, positionalArg } from '../args.js';
import type { InteractionEnv } from '../env.js';
import { printDropped } from './propose.js';

const KINDS: Record<string, ConfChange['kind']> = { v: 'addNode', l: 'addLearner', r: 'removeNode' };

export function parseConfChange(command: TestCommand, word: string): ConfChange {
  const match = /^([vlr])(\d+)$/.exec(word);
  const kind = match === null ? undefined : KINDS[match[1] as string];
  if (match === null || kind === undefined) command.fail(`${JSON.stringify(word)} is not v<id>, l<id> or r<id>`);
  return { kind, nodeId: Number(match[2]) };
}

export function handleProposeConfChange(env: InteractionEnv, command: TestCommand): void {
  const node = env.node(nodeIdArg(command, 0));
  const change = parseConfChange(command, positionalArg(command, 1, 'conf change'));
  printDropped(env, () => node.rawNode.proposeConfChange(change));
}
