/**
 * A datadriven test-script runner in the style of cockroachdb/datadriven, which etcd-io/raft uses for its
 * interaction tests (STYLE.md rule 11, TESTING.md layer 2). A script is a sequence of blocks:
 *
 * ```text
 * # Comments and blank lines between blocks are kept as they are.
 * directive arg1 arg2=val arg3=(a, b, c)
 * optional input line
 * another input line
 * ----
 * expected output
 * until a blank line
 *
 * directive-with-blank-lines-in-its-output
 * ----
 * ----
 * first paragraph
 *
 * second paragraph
 * ----
 * ----
 * ```
 *
 * The handler returns the actual output of each block; it is compared with the expected output and, when the
 * environment has `CAIRN_REWRITE=1`, the file is rewritten with the actual output instead (comments, directive
 * lines and inputs are kept byte for byte). Commit a rewrite only if you understand every changed line.
 *
 * Differences from cockroachdb/datadriven, all deliberate: trailing newlines of the actual output are dropped
 * before comparing (outputs are compared line by line, so a trailing blank line cannot be expressed); `key=()`
 * gives no values rather than one empty value; one blank line after a double-separator block belongs to the
 * block, so a rewrite that switches a block between the two forms keeps the spacing.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';

/** The separator between a block's directive and input, and its expected output. */
const separatorLine = '----';

/** One `key`, `key=value` or `key=(v1, v2, ...)` argument of a directive line. */
export interface CommandArg {
  key: string;
  values: string[];
}

/** A malformed script, a missing or malformed argument, or a handler that threw, with the script position. */
export class DataDrivenError extends Error {
  override readonly name = 'DataDrivenError';
}

/** One block of a script as the handler sees it. */
export class TestCommand {
  constructor(
    /** The first word of the directive line. */
    readonly directive: string,
    /** The arguments after the directive, in order; keys may repeat. */
    readonly args: readonly CommandArg[],
    /** The lines between the directive line and `----`, joined with `\n` and trimmed. */
    readonly input: string,
    /** `file:line` of the directive line, for error messages. */
    readonly pos: string
  ) {}

  /** Whether an argument named `key` is present (with or without values). */
  hasArg(key: string): boolean {
    return this.args.some((arg) => arg.key === key);
  }

  /** The single value of the first argument named `key`; throws if it is missing or has not exactly one value. */
  scanArg(key: string): string {
    const values = this.scanArgs(key);
    const value = values[0];
    if (values.length !== 1 || value === undefined) {
      this.fail(`argument ${key} must have exactly one value, got ${values.length}`);
    }
    return value;
  }

  /** The values of the first argument named `key` (none for a bare `key`); throws if it is missing. */
  scanArgs(key: string): string[] {
    const arg = this.args.find((candidate) => candidate.key === key);
    if (arg === undefined) this.fail(`missing argument: ${key}`);
    return arg.values;
  }

  /** The single value of argument `key`, or `fallback` if the argument is absent. */
  scanArgOr(key: string, fallback: string): string {
    return this.hasArg(key) ? this.scanArg(key) : fallback;
  }

  /** The single value of argument `key` as a safe integer. */
  scanInt(key: string): number {
    return this.parseInt(key, this.scanArg(key));
  }

  /** The single value of argument `key` as a safe integer, or `fallback` if the argument is absent. */
  scanIntOr(key: string, fallback: number): number {
    return this.hasArg(key) ? this.scanInt(key) : fallback;
  }

  /** Every value of argument `key` as safe integers (`voters=(1,2,3)`). */
  scanInts(key: string): number[] {
    return this.scanArgs(key).map((value) => this.parseInt(key, value));
  }

  /** Throws a {@link DataDrivenError} that names this block's position; for handlers rejecting a block. */
  fail(message: string): never {
    throw new DataDrivenError(`${this.pos}: ${this.directive}: ${message}`);
  }

  private parseInt(key: string, value: string): number {
    const parsed = /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(parsed)) this.fail(`argument ${key}: ${JSON.stringify(value)} is not a safe integer`);
    return parsed;
  }
}

/** Turns one block into its actual output. Unexpected failures throw; expected errors belong in the output. */
export type DataDrivenHandler = (command: TestCommand) => string;

/** Like {@link DataDrivenHandler}, for scripts that drive asynchronous code. */
export type DataDrivenAsyncHandler = (command: TestCommand) => string | Promise<string>;

/** Options of {@link runDataDrivenFile}. */
export interface DataDrivenOptions {
  /** Rewrite the file with the actual output instead of comparing. Default: `process.env.CAIRN_REWRITE === '1'`. */
  rewrite?: boolean;
}

/** A script block: the raw lines it was read from plus what the handler needs. */
interface ScriptBlock {
  kind: 'block';
  command: TestCommand;
  /** The directive line(s) and input lines exactly as written, up to but excluding `----`. */
  headLines: string[];
  /** The expected output, lines joined with `\n`, no trailing newline. */
  expected: string;
}

/** Comment and blank lines between blocks, kept verbatim. */
interface ScriptVerbatim {
  kind: 'verbatim';
  line: string;
}

type ScriptItem = ScriptBlock | ScriptVerbatim;

/** Parses one directive line into its directive and arguments; throws on unbalanced parentheses. */
export function parseDirectiveLine(line: string, pos: string): { directive: string; args: CommandArg[] } {
  let rest = line.trim();
  const takeUntil = (pattern: RegExp): string => {
    const match = pattern.exec(rest);
    const end = match === null ? rest.length : match.index;
    const taken = rest.slice(0, end);
    rest = rest.slice(end);
    return taken;
  };
  const directive = takeUntil(/\s/);
  if (directive === '') throw new DataDrivenError(`${pos}: empty directive line`);
  const args: CommandArg[] = [];
  rest = rest.trim();
  while (rest !== '') {
    const key = takeUntil(/[\s=]/);
    if (key === '') throw new DataDrivenError(`${pos}: cannot parse directive at ${JSON.stringify(rest)}`);
    let values: string[] = [];
    if (rest.startsWith('=')) {
      rest = rest.slice(1);
      if (rest.startsWith('(')) {
        const list = splitParenthesizedList(rest, pos);
        values = list.values;
        rest = list.rest;
      } else {
        values = [takeUntil(/\s/)];
      }
    }
    args.push({ key, values });
    rest = rest.trim();
  }
  return { directive, args };
}

/** Splits `(a, b(c, d), e) rest` into its top-level comma-separated values, honouring nested parentheses. */
function splitParenthesizedList(text: string, pos: string): { values: string[]; rest: string } {
  const values: string[] = [];
  let depth = 0;
  let current = '';
  for (let index = 1; index < text.length; index++) {
    const char = text.charAt(index);
    if (depth === 0 && (char === ',' || char === ')')) {
      values.push(current.trim());
      current = '';
      if (char === ')') {
        const isEmptyList = values.length === 1 && values[0] === '';
        return { values: isEmptyList ? [] : values, rest: text.slice(index + 1) };
      }
      continue;
    }
    if (char === '(') depth++;
    if (char === ')') depth--;
    current += char;
  }
  throw new DataDrivenError(`${pos}: unbalanced parentheses in ${JSON.stringify(text)}`);
}

/** Parses a whole script. `sourceName` prefixes positions (`file:line`). */
function parseScript(text: string, sourceName: string): ScriptItem[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const items: ScriptItem[] = [];
  let index = 0;
  while (index < lines.length) {
    const line = lines[index] ?? '';
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      items.push({ kind: 'verbatim', line });
      index++;
      continue;
    }
    const parsed = parseBlock(lines, index, sourceName);
    items.push(parsed.block);
    index = parsed.nextIndex;
  }
  return items;
}

/** Parses the block whose directive line is `lines[start]`. */
function parseBlock(lines: string[], start: number, sourceName: string): { block: ScriptBlock; nextIndex: number } {
  const pos = `${sourceName}:${start + 1}`;
  let index = start;
  let directiveLine = (lines[index] ?? '').trim();
  // A directive line ending in `\` continues on the next line, as in cockroachdb/datadriven.
  while (directiveLine.endsWith('\\') && index + 1 < lines.length) {
    index++;
    directiveLine = `${directiveLine.slice(0, -1)} ${(lines[index] ?? '').trim()}`;
  }
  index++;
  const inputLines: string[] = [];
  while (index < lines.length && lines[index] !== separatorLine) {
    inputLines.push(lines[index] ?? '');
    index++;
  }
  const headLines = lines.slice(start, index);
  const { directive, args } = parseDirectiveLine(directiveLine, pos);
  const command = new TestCommand(directive, args, inputLines.join('\n').trim(), pos);
  if (index >= lines.length) {
    return { block: { kind: 'block', command, headLines, expected: '' }, nextIndex: index };
  }
  const expected = parseExpected(lines, index + 1, pos);
  return { block: { kind: 'block', command, headLines, expected: expected.text }, nextIndex: expected.nextIndex };
}

/** Reads the expected output that starts at `lines[start]`, just after the first `----`. */
function parseExpected(lines: string[], start: number, pos: string): { text: string; nextIndex: number } {
  const output: string[] = [];
  let index = start;
  if (lines[index] === separatorLine) {
    // Double-separator form: everything up to a `----` `----` pair, blank lines included.
    index++;
    while (index < lines.length) {
      if (lines[index] === separatorLine && lines[index + 1] === separatorLine) {
        index += 2;
        // One blank line after the closing pair belongs to the block (see the file comment).
        if (index < lines.length && (lines[index] ?? '').trim() === '') index++;
        return { text: output.join('\n'), nextIndex: index };
      }
      output.push(lines[index] ?? '');
      index++;
    }
    throw new DataDrivenError(`${pos}: missing the closing ---- ---- pair of a double-separator block`);
  }
  while (index < lines.length && (lines[index] ?? '').trim() !== '') {
    output.push(lines[index] ?? '');
    index++;
  }
  // The blank line that ends the output belongs to the block.
  if (index < lines.length) index++;
  return { text: output.join('\n'), nextIndex: index };
}

/** Whether `output` needs the double-separator form: it has a line that is empty or only whitespace. */
function hasBlankLine(output: string): boolean {
  return output !== '' && output.split('\n').some((line) => line.trim() === '');
}

/** Drops trailing newlines so that `"a\n"` and `"a"` compare equal. */
function normalizeOutput(actual: string): string {
  return actual.replace(/\n+$/, '');
}

/** Renders a script with each block's expected output replaced by `outputs.get(block)`. */
function renderScript(items: readonly ScriptItem[], outputs: ReadonlyMap<ScriptBlock, string>): string {
  const lines: string[] = [];
  for (const item of items) {
    if (item.kind === 'verbatim') {
      lines.push(item.line);
      continue;
    }
    const output = outputs.get(item) ?? item.expected;
    lines.push(...item.headLines, separatorLine);
    if (hasBlankLine(output)) {
      lines.push(separatorLine, ...output.split('\n'), separatorLine, separatorLine);
    } else if (output !== '') {
      lines.push(...output.split('\n'));
    }
    lines.push('');
  }
  // Like cockroachdb/datadriven: the file ends with one newline, not with the blank line closing the last block.
  return `${lines.join('\n')}\n`.replace(/\n\n$/, '\n');
}

/** The `_breakpoint` directive lets one stop in a debugger at a given point of a long script (TESTING.md). */
function runBuiltinDirective(command: TestCommand): string | undefined {
  if (command.directive !== '_breakpoint') return undefined;
  // eslint-disable-next-line no-debugger -- the whole point of the directive.
  debugger;
  return '';
}

/** Runs `handler` on one block, adding the block's position to anything it throws. */
function runHandlerOnBlock(block: ScriptBlock, handler: DataDrivenHandler): string {
  try {
    return runBuiltinDirective(block.command) ?? handler(block.command);
  } catch (error) {
    throw wrapHandlerError(block, error);
  }
}

async function runAsyncHandlerOnBlock(block: ScriptBlock, handler: DataDrivenAsyncHandler): Promise<string> {
  try {
    return runBuiltinDirective(block.command) ?? (await handler(block.command));
  } catch (error) {
    throw wrapHandlerError(block, error);
  }
}

function wrapHandlerError(block: ScriptBlock, error: unknown): Error {
  if (error instanceof DataDrivenError) return error;
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new DataDrivenError(`${block.command.pos}: ${block.command.directive} threw ${message}`, { cause: error });
}

/** Compares one block's output with its expected output through vitest, which prints a diff on mismatch. */
function checkBlockOutput(block: ScriptBlock, actual: string): void {
  const firstLine = block.headLines[0]?.trim() ?? block.command.directive;
  const hint = 'rerun with CAIRN_REWRITE=1 to accept the actual output';
  expect(actual, `${block.command.pos}: ${firstLine} (${hint})`).toBe(block.expected);
}

function readScript(path: string): { items: ScriptItem[]; blocks: ScriptBlock[] } {
  const sourceName = relative(process.cwd(), path) || path;
  const items = parseScript(readFileSync(path, 'utf8'), sourceName);
  const blocks = items.filter((item): item is ScriptBlock => item.kind === 'block');
  return { items, blocks };
}

function shouldRewrite(options: DataDrivenOptions): boolean {
  return options.rewrite ?? process.env['CAIRN_REWRITE'] === '1';
}

/**
 * Runs every block of the script at `path` through `handler`, in order, and checks each output (or, when
 * rewriting, writes the actual outputs back into the file). Stops at the first mismatch or handler failure,
 * as later blocks usually depend on the state the failed one left. Call it inside a vitest `it`.
 */
export function runDataDrivenFile(path: string, handler: DataDrivenHandler, options: DataDrivenOptions = {}): void {
  const { items, blocks } = readScript(path);
  const rewrite = shouldRewrite(options);
  const outputs = new Map<ScriptBlock, string>();
  for (const block of blocks) {
    const actual = normalizeOutput(runHandlerOnBlock(block, handler));
    if (rewrite) outputs.set(block, actual);
    else checkBlockOutput(block, actual);
  }
  if (rewrite) writeFileSync(path, renderScript(items, outputs));
}

/** {@link runDataDrivenFile} for a handler that may return a promise; await it. */
export async function runDataDrivenFileAsync(
  path: string,
  handler: DataDrivenAsyncHandler,
  options: DataDrivenOptions = {}
): Promise<void> {
  const { items, blocks } = readScript(path);
  const rewrite = shouldRewrite(options);
  const outputs = new Map<ScriptBlock, string>();
  for (const block of blocks) {
    const actual = normalizeOutput(await runAsyncHandlerOnBlock(block, handler));
    if (rewrite) outputs.set(block, actual);
    else checkBlockOutput(block, actual);
  }
  if (rewrite) writeFileSync(path, renderScript(items, outputs));
}

/** Hidden, editor backup and lock files are not scripts (as in cockroachdb/datadriven's `Walk`). */
function isScriptFileName(name: string): boolean {
  return !name.startsWith('.') && !name.endsWith('~') && !/^#.*#$/.test(name);
}

/** Every script file under `dir`, recursively, in sorted order. */
export function listDataDrivenFiles(dir: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!isScriptFileName(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...listDataDrivenFiles(path));
    else files.push(path);
  }
  return files;
}

/** A handler per file, for scripts that each start from a fresh environment (etcd's interaction tests). */
export interface DataDrivenHandlerFactory {
  forFile(path: string): DataDrivenHandler;
}

/**
 * Registers one vitest test per script file under `dir` (recursively), named by its path relative to `dir`.
 * Call it at the top level of a test file or inside `describe`, not inside `it`. Pass a plain handler to share
 * it across files, or `{ forFile }` to build a fresh one per file.
 */
export function runDataDrivenDir(
  dir: string,
  handler: DataDrivenHandler | DataDrivenHandlerFactory,
  options: DataDrivenOptions = {}
): void {
  const files = listDataDrivenFiles(dir);
  if (files.length === 0) throw new DataDrivenError(`no datadriven scripts under ${dir}`);
  for (const path of files) {
    it(relative(dir, path), () => {
      const fileHandler = typeof handler === 'function' ? handler : handler.forFile(path);
      runDataDrivenFile(path, fileHandler, options);
    });
  }
}
