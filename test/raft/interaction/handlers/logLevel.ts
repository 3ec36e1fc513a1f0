/**
 * `log-level none|info`: `none` silences every handler but errors, for boilerplate setup (etcd's scripts hide
 * setup the same way); `info` restores the output. Cairn's core has no logger, so there are no finer levels.
 */
import type { TestCommand } from '../../../support/datadriven.js';
import { positionalArg } from '../args.js';
import type { InteractionEnv } from '../env.js';

export function handleLogLevel(env: InteractionEnv, command: TestCommand): void {
  const level = positionalArg(command, 0, 'level');
  if (level !== 'none' && level !== 'info') command.fail(`level must be none or info, got ${level}`);
  env.output.quiet = level === 'none';
}
