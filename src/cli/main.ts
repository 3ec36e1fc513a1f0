/**
 * The `cairn` command line (ARCHITECTURE.md §7): `dev` runs the one-node development cluster (docs/node.md),
 * `help` and `version` say what they say; `node` is reserved for the multi-node cluster and says so rather than
 * pretending.
 *
 * `runCli` takes its arguments and output streams as parameters and returns the exit code, so tests call it
 * directly; `bin/cairn.js` wires it to the process.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CliUsageError, exitCodeSuccess, exitCodeUsage } from './cliCommon.js';
import type { CliIo } from './cliCommon.js';
import { devOptionsUsage, runDev } from './devCommand.js';

export { CliUsageError, exitCodeFailure, exitCodeSuccess, exitCodeUsage } from './cliCommon.js';
export type { CliIo } from './cliCommon.js';

interface CliCommand {
  name: string;
  summary: string;
  run(args: readonly string[], io: CliIo): Promise<number>;
}

const commands: readonly CliCommand[] = [
  {
    name: 'dev',
    summary: 'run a one-node development cluster in the foreground (options below; Ctrl-C stops it)',
    run: (args, io) => runDev(args, io),
  },
  {
    name: 'node',
    summary: 'run one node of a multi-node cluster (not yet implemented)',
    run: (_args, io) => reportNotImplemented('node', io),
  },
  {
    name: 'version',
    summary: 'print the version of this build (also: cairn --version)',
    run: (args, io) => runVersion(args, io),
  },
  {
    name: 'help',
    summary: 'print this help (also: cairn --help)',
    run: (args, io) => runHelp(args, io),
  },
];

async function reportNotImplemented(name: string, io: CliIo): Promise<number> {
  io.stderr.write(`cairn ${name}: not yet implemented: arrives with the multi-node cluster; use \`cairn dev\` today\n`);
  return exitCodeUsage;
}

async function runVersion(args: readonly string[], io: CliIo): Promise<number> {
  parseCommandArgs('version', args);
  io.stdout.write(`cairn ${readPackageVersion()}\n`);
  return exitCodeSuccess;
}

async function runHelp(args: readonly string[], io: CliIo): Promise<number> {
  // `cairn help <command>` is accepted for a known command; this build has one help text for all of them.
  const [topic, ...rest] = args;
  const isKnownTopic = topic !== undefined && commands.some((command) => command.name === topic);
  parseCommandArgs('help', isKnownTopic ? rest : args);
  io.stdout.write(usageText());
  return exitCodeSuccess;
}

/** The version field of the package.json next to `src/` (source) or `dist/` (build): both sit two levels up. */
export function readPackageVersion(): string {
  const packageJson: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  if (typeof packageJson === 'object' && packageJson !== null && 'version' in packageJson) {
    const { version } = packageJson;
    if (typeof version === 'string') return version;
  }
  throw new Error('package.json has no version field');
}

/** The help text: what Cairn is, the commands of this build and the global options. */
export function usageText(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  const commandLines = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return [
    'cairn: a durable-execution workflow cluster (one Raft group per shard, LevelDB, Temporal gRPC API)',
    '',
    'Usage: cairn <command> [options]',
    '',
    'Commands:',
    ...commandLines,
    '',
    'Options:',
    '  -h, --help     print this help',
    '  -v, --version  print the version',
    '',
    'Options of cairn dev:',
    ...devOptionsUsage,
    '',
  ].join('\n');
}

/** `help` and `version` take no options; anything starting with `-` is a usage error. */
function parseCommandArgs(name: string, args: readonly string[]): void {
  const { positionals, tokens } = parseArgs({ args: [...args], strict: false, allowPositionals: true, tokens: true });
  const unknownOption = tokens.find((token) => token.kind === 'option');
  if (unknownOption !== undefined && unknownOption.kind === 'option') {
    throw new CliUsageError(`cairn ${name}: unknown option '${unknownOption.rawName}'`);
  }
  if (positionals.length > 0) {
    throw new CliUsageError(`cairn ${name}: unexpected argument '${positionals[0]}'`);
  }
}

/** The command line split at the command name. */
interface GlobalArgs {
  help: boolean;
  version: boolean;
  /** The first positional argument; absent when only global options were given. */
  command?: string;
  /** Everything after the command name, for the command to parse. */
  rest: string[];
}

/** Splits `argv` into global flags, the command name and the command's own arguments. */
function parseGlobalArgs(argv: readonly string[]): GlobalArgs {
  const { tokens } = parseArgs({ args: [...argv], strict: false, allowPositionals: true, tokens: true });
  let help = false;
  let version = false;
  for (const token of tokens) {
    if (token.kind === 'positional') {
      return { help, version, command: token.value, rest: argv.slice(token.index + 1) };
    }
    if (token.kind === 'option-terminator') continue;
    if (token.name === 'help' || token.name === 'h') help = true;
    else if (token.name === 'version' || token.name === 'v') version = true;
    else throw new CliUsageError(`cairn: unknown option '${token.rawName}'`);
  }
  return { help, version, rest: [] };
}

/** Runs the CLI on `argv` (without the node and script paths) and returns the process exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const parsed = parseGlobalArgs(argv);
    if (parsed.help) return await runHelp([], io);
    if (parsed.version) return await runVersion([], io);
    if (parsed.command === undefined) throw new CliUsageError('cairn: missing command');
    const commandName = parsed.command;
    const command = commands.find((candidate) => candidate.name === commandName);
    if (command === undefined) throw new CliUsageError(`cairn: unknown command '${commandName}'`);
    if (parsed.rest.includes('--help') || parsed.rest.includes('-h')) {
      // `cairn dev --help` is what people type first: answer it rather than call --help an unknown option.
      io.stdout.write(usageText());
      return exitCodeSuccess;
    }
    return await command.run(parsed.rest, io);
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.stderr.write(`${error.message}\n\n${usageText()}`);
      return exitCodeUsage;
    }
    throw error;
  }
}
