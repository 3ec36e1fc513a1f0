/**
 * Argument helpers shared by the directive handlers: bare positional arguments (`process-ready 1 3`) are the
 * args without values, as in etcd-raft's `nodeIdxs`.
 */
import type { TestCommand } from '../../support/datadriven.js';

/** The bare (value-less) arguments, in order: node ids and other positional words. */
export function positionalArgs(command: TestCommand): string[] {
  return command.args.filter((arg) => arg.values.length === 0).map((arg) => arg.key);
}

function parseNodeId(command: TestCommand, word: string): number {
  if (!/^\d+$/.test(word) || Number(word) < 1) command.fail(`${JSON.stringify(word)} is not a node id`);
  return Number(word);
}

/** Every positional argument as a node id. */
export function nodeIdArgs(command: TestCommand): number[] {
  return positionalArgs(command).map((word) => parseNodeId(command, word));
}

/** The positional argument at `position` (0-based), required. */
export function positionalArg(command: TestCommand, position: number, what: string): string {
  const word = positionalArgs(command)[position];
  if (word === undefined) command.fail(`missing ${what} (positional argument ${position + 1})`);
  return word;
}

/** The positional argument at `position` as a node id, required. */
export function nodeIdArg(command: TestCommand, position: number): number {
  return parseNodeId(command, positionalArg(command, position, 'node id'));
}

/** The positional argument at `position` as a non-negative integer, required. */
export function intArg(command: TestCommand, position: number, what: string): number {
  const word = positionalArg(command, position, what);
  if (!/^\d+$/.test(word)) command.fail(`${what}: ${JSON.stringify(word)} is not a non-negative integer`);
  return Number(word);
}

/** `key=true|false`, or `fallback` when absent. */
export function boolArgOr(command: TestCommand, key: string, fallback: boolean): boolean {
  if (!command.hasArg(key)) return fallback;
  const value = command.scanArg(key);
  if (value !== 'true' && value !== 'false') command.fail(`${key} must be true or false, got ${value}`);
  return value === 'true';
}

/** Fails the block if it carries a `key=...` argument the handler does not know. */
export function rejectUnknownKeys(command: TestCommand, known: readonly string[]): void {
  for (const arg of command.args) {
    if (arg.values.length > 0 && !known.includes(arg.key)) command.fail(`unknown argument ${arg.key}`);
  }
}
