/**
 * `cairn dev`: runs the one-node development cluster (src/node/devNode.ts, docs/node.md) in the foreground until
 * SIGINT or SIGTERM, then stops it gracefully and exits 0. Logs (pino, JSON lines) go to stdout; a start failure
 * goes to stderr as one message saying what to do, with exit code 1.
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { DATA_DIR_DEFAULT, DevNode, GRPC_LISTEN_DEFAULT, HTTP_LISTEN_DEFAULT } from '../node/devNode.js';
import type { DevNodeOptions } from '../node/devNode.js';
import { ListenAddressError, NodeStartError } from '../node/errors.js';
import { formatListenAddress, parseListenAddress } from '../node/listenAddress.js';
import { CliUsageError, exitCodeFailure, exitCodeSuccess } from './cliCommon.js';
import type { CliIo } from './cliCommon.js';
import { waitForShutdownSignal } from './shutdownSignals.js';

/** Largest `--shards`: far beyond what one dev node needs, small enough to catch a typo. */
export const SHARDS_FLAG_MAX = 1024;

/** The help lines of `cairn dev`'s options. */
export const devOptionsUsage = [
  `  --data-dir <dir>           where the node keeps its data (default ${DATA_DIR_DEFAULT})`,
  `  --listen <host:port>       gRPC address, Temporal's API (default ${formatListenAddress(GRPC_LISTEN_DEFAULT)})`,
  `  --http-listen <host:port>  HTTP address, GET /healthz (default ${formatListenAddress(HTTP_LISTEN_DEFAULT)})`,
  `  --shards <n>               shards on first start, 1..${SHARDS_FLAG_MAX} (default 8; later starts reuse the stored count)`,
];

type DevFlags = Pick<DevNodeOptions, 'dataDir' | 'listen' | 'httpListen' | 'shards'>;

const flagNames = ['data-dir', 'listen', 'http-listen', 'shards'] as const;
type FlagName = (typeof flagNames)[number];

/** Parses and validates `cairn dev`'s flags; throws {@link CliUsageError} naming the flag at fault. */
export function parseDevFlags(args: readonly string[]): DevFlags {
  const options = Object.fromEntries(flagNames.map((name) => [name, { type: 'string' as const }]));
  const { tokens } = parseArgs({ args: [...args], options, strict: false, allowPositionals: true, tokens: true });
  const values = new Map<FlagName, string>();
  for (const token of tokens) {
    if (token.kind === 'positional') throw new CliUsageError(`cairn dev: unexpected argument '${token.value}'`);
    if (token.kind === 'option-terminator') continue;
    const name = flagNames.find((candidate) => candidate === token.name);
    if (name === undefined) throw new CliUsageError(`cairn dev: unknown option '${token.rawName}'`);
    if (token.value === undefined || token.value === '') {
      throw new CliUsageError(`cairn dev: --${name} needs a value`);
    }
    values.set(name, token.value);
  }
  try {
    return {
      dataDir: values.get('data-dir') ?? DATA_DIR_DEFAULT,
      listen: parseAddressFlag(values.get('listen'), '--listen') ?? GRPC_LISTEN_DEFAULT,
      httpListen: parseAddressFlag(values.get('http-listen'), '--http-listen') ?? HTTP_LISTEN_DEFAULT,
      shards: parseShardsFlag(values.get('shards')),
    };
  } catch (error) {
    if (error instanceof ListenAddressError) throw new CliUsageError(`cairn dev: ${error.message}`);
    throw error;
  }
}

function parseAddressFlag(text: string | undefined, flag: string): DevFlags['listen'] | undefined {
  return text === undefined ? undefined : parseListenAddress(text, flag);
}

function parseShardsFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const shards = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(shards >= 1 && shards <= SHARDS_FLAG_MAX)) {
    throw new CliUsageError(
      `cairn dev: --shards: '${text}' is not a shard count: use an integer 1..${SHARDS_FLAG_MAX}`
    );
  }
  return shards;
}

/** Runs `cairn dev` with `args`; resolves with the exit code once the node has stopped (or failed to start). */
export async function runDev(args: readonly string[], io: CliIo): Promise<number> {
  const flags = parseDevFlags(args);
  const logger = pino({ name: 'cairn' }, { write: (line: string) => void io.stdout.write(line) });
  // Installed before the start, so that a signal during it still gets a graceful stop once it is done.
  const shutdown = waitForShutdownSignal((signal) =>
    logger.warn({ signal }, 'second signal: exiting at once, without a graceful stop')
  );
  try {
    let node: DevNode;
    try {
      node = await DevNode.start({ ...flags, logger });
    } catch (error) {
      if (!(error instanceof NodeStartError)) throw error;
      io.stderr.write(`cairn dev: ${error.message}\n`);
      return exitCodeFailure;
    }
    const signal = await shutdown.signal;
    logger.info({ signal }, 'signal received: stopping gracefully (send it again to exit at once)');
    await node.close();
    return exitCodeSuccess;
  } finally {
    shutdown.dispose();
  }
}
