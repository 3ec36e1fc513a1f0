/**
 * Flag parsing shared by the engine scenario CLIs: `--name value` pairs validated into numbers, with a usage error
 * that names the flag and what it accepts.
 */
import { parseArgs } from 'node:util';

/** A command line the CLI cannot run; its message says which flag is wrong and what it accepts. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A numeric flag: its default and the range it accepts. */
export interface NumberFlag {
  readonly defaultValue: number;
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
}

/** Parses `argv` into numbers for `numberFlags` and booleans for `booleanFlags`; throws {@link UsageError}. */
export function parseFlags<N extends string, B extends string>(
  argv: readonly string[],
  numberFlags: Readonly<Record<N, NumberFlag>>,
  booleanFlags: readonly B[] = []
): Record<N, number> & Record<B, boolean> {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const name of Object.keys(numberFlags)) options[name] = { type: 'string' };
  for (const name of booleanFlags) options[name] = { type: 'boolean' };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const parsed: Record<string, number | boolean> = {};
  for (const [name, flag] of Object.entries(numberFlags) as [string, NumberFlag][]) {
    const text = values[name];
    parsed[name] = typeof text === 'string' ? parseNumber(name, text, flag) : flag.defaultValue;
  }
  for (const name of booleanFlags) parsed[name] = values[name] === true;
  return parsed as Record<N, number> & Record<B, boolean>;
}

function parseNumber(name: string, text: string, flag: NumberFlag): number {
  const value = Number(text);
  const kind = flag.integer ? 'an integer' : 'a number';
  if (text.trim() === '' || !Number.isFinite(value) || (flag.integer && !Number.isInteger(value))) {
    throw new UsageError(`--${name}: '${text}' is not ${kind}: use ${kind} in ${flag.min}..${flag.max}`);
  }
  if (value < flag.min || value > flag.max) {
    throw new UsageError(`--${name}: ${text} is out of range: use ${kind} in ${flag.min}..${flag.max}`);
  }
  return value;
}
