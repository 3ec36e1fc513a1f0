// Goal: the datadriven runner (test/support/datadriven.ts) parses scripts the way cockroachdb/datadriven does,
// detects mismatches, and rewrites scripts without losing comments or inputs.
// Method: a toy handler (echo, sum, paragraphs, count) runs the fixtures in test/support/testdata/; rewrites
// go to temporary copies that are compared byte for byte with expected files; failures are asserted to throw.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DataDrivenError,
  listDataDrivenFiles,
  parseDirectiveLine,
  runDataDrivenDir,
  runDataDrivenFile,
  runDataDrivenFileAsync,
  type DataDrivenHandler,
  type TestCommand,
} from './datadriven.js';

const testdataDir = fileURLToPath(new URL('testdata', import.meta.url));
const scratchDir = mkdtempSync(join(tmpdir(), 'cairn-datadriven-'));

afterAll(() => {
  rmSync(scratchDir, { recursive: true, force: true });
});

/** Prints a block's structure: directive, each argument's values, the input with lines joined by `|`. */
function echo(command: TestCommand): string {
  const lines = [command.directive];
  for (const arg of command.args) lines.push(`  ${arg.key}: ${JSON.stringify(arg.values)}`);
  if (command.input !== '') lines.push(`  input: ${command.input.split('\n').join('|')}`);
  return lines.join('\n');
}

/** A handler with one counter, to tell a shared handler from a per-file one. */
function makeToyHandler(): DataDrivenHandler {
  let count = 0;
  return (command) => {
    switch (command.directive) {
      case 'echo':
        return echo(command);
      case 'scan':
        return [
          `index=${command.scanInt('index')}`,
          `voters=${command.scanInts('voters').join('+')}`,
          `term=${command.scanIntOr('term', 0)}`,
          `hasFlag=${command.hasArg('flag')}`,
        ].join(' ');
      case 'sum':
        return `${command.scanInts('values').reduce((total, value) => total + value, 0)}\n`;
      case 'paragraphs': {
        const paragraphs = Array.from({ length: command.scanInt('count') }, (_, index) => `paragraph ${index + 1}`);
        return paragraphs.join('\n\n');
      }
      case 'count':
        count++;
        return String(count);
      default:
        return command.fail('unknown directive');
    }
  };
}

/** Copies a fixture into the scratch directory, so that rewrites never touch the committed file. */
function scratchCopy(name: string): string {
  const path = join(scratchDir, name);
  copyFileSync(join(testdataDir, name), path);
  return path;
}

describe('parseDirectiveLine', () => {
  it('splits bare keys, single values and parenthesized lists, trimming list values', () => {
    const parsed = parseDirectiveLine('add-nodes 3 voters=(1, 2,3) index=10 flag', 'x:1');
    expect(parsed).toEqual({
      directive: 'add-nodes',
      args: [
        { key: '3', values: [] },
        { key: 'voters', values: ['1', '2', '3'] },
        { key: 'index', values: ['10'] },
        { key: 'flag', values: [] },
      ],
    });
  });

  it('rejects unbalanced parentheses with the position', () => {
    expect(() => parseDirectiveLine('cmd list=(a, (b)', 'script.txt:7')).toThrow(/script\.txt:7: unbalanced/);
  });
});

describe('runDataDrivenFile', () => {
  it('parses argument forms and continuation lines (args.txt)', () => {
    const commands: TestCommand[] = [];
    const handler = makeToyHandler();
    runDataDrivenFile(join(testdataDir, 'args.txt'), (command) => {
      commands.push(command);
      return handler(command);
    });
    expect(commands.map((command) => command.directive)).toEqual(['echo', 'echo', 'echo', 'scan']);
    expect(commands[0]?.pos).toMatch(/args\.txt:3$/);
    expect(commands[2]?.pos).toMatch(/args\.txt:19$/);
  });

  it('passes multi-line input, blank lines included (multiline.txt)', () => {
    const inputs: string[] = [];
    runDataDrivenFile(join(testdataDir, 'multiline.txt'), (command) => {
      inputs.push(command.input);
      return echo(command);
    });
    expect(inputs).toEqual(['first input line\n  indented second line\n\nfourth line after a blank one', '']);
  });

  it('reads outputs with blank lines between double separators, and empty outputs (blanklines.txt)', () => {
    const outputs: string[] = [];
    const handler = makeToyHandler();
    runDataDrivenFile(join(testdataDir, 'blanklines.txt'), (command) => {
      const output = handler(command);
      outputs.push(output);
      return output;
    });
    expect(outputs).toEqual(['paragraph 1\n\nparagraph 2', '', 'paragraph 1']);
  });

  it('throws on the first mismatch, naming the block, and runs no further blocks', () => {
    const directives: string[] = [];
    const handler = makeToyHandler();
    const run = () =>
      runDataDrivenFile(
        join(testdataDir, 'mismatch.txt'),
        (command) => {
          directives.push(command.scanArgs('values').join(','));
          return handler(command);
        },
        { rewrite: false }
      );
    expect(run).toThrow(/mismatch\.txt:6: sum values=\(2, 2\)/);
    expect(directives).toEqual(['1,2', '2,2']);
  });

  it('adds the block position to an error thrown by the handler', () => {
    const run = () =>
      runDataDrivenFile(join(testdataDir, 'mismatch.txt'), () => {
        throw new RangeError('boom');
      });
    expect(run).toThrow(DataDrivenError);
    expect(run).toThrow(/mismatch\.txt:2: sum threw RangeError: boom/);
  });

  it('reports a malformed argument through TestCommand.fail with the position', () => {
    const run = () => runDataDrivenFile(join(testdataDir, 'args.txt'), (command) => command.scanArg('voters'));
    expect(run).toThrow(/args\.txt:3: echo: argument voters must have exactly one value, got 3/);
  });
});

describe('rewrite', () => {
  it('replaces stale outputs and keeps comments, inputs and spacing (rewrite-before.txt → rewrite-after.txt)', () => {
    const path = scratchCopy('rewrite-before.txt');
    runDataDrivenFile(path, makeToyHandler(), { rewrite: true });
    expect(readFileSync(path, 'utf8')).toBe(readFileSync(join(testdataDir, 'rewrite-after.txt'), 'utf8'));
  });

  it('leaves an up-to-date script byte for byte unchanged', () => {
    for (const name of ['args.txt', 'multiline.txt', 'blanklines.txt', 'rewrite-after.txt']) {
      const path = scratchCopy(name);
      runDataDrivenFile(path, makeToyHandler(), { rewrite: true });
      expect(readFileSync(path, 'utf8'), name).toBe(readFileSync(join(testdataDir, name), 'utf8'));
    }
  });

  it('makes a failing script pass once rewritten', () => {
    const path = scratchCopy('mismatch.txt');
    expect(() => runDataDrivenFile(path, makeToyHandler(), { rewrite: false })).toThrow();
    runDataDrivenFile(path, makeToyHandler(), { rewrite: true });
    expect(() => runDataDrivenFile(path, makeToyHandler(), { rewrite: false })).not.toThrow();
    expect(readFileSync(path, 'utf8')).toContain('sum values=(2, 2)\n----\n4\n');
  });

  it('follows CAIRN_REWRITE=1 when no option is given', () => {
    const path = scratchCopy('mismatch.txt');
    const previous = process.env['CAIRN_REWRITE'];
    process.env['CAIRN_REWRITE'] = '1';
    try {
      runDataDrivenFile(path, makeToyHandler());
    } finally {
      if (previous === undefined) delete process.env['CAIRN_REWRITE'];
      else process.env['CAIRN_REWRITE'] = previous;
    }
    expect(readFileSync(path, 'utf8')).toContain('----\n4\n');
  });
});

describe('runDataDrivenFileAsync', () => {
  it('awaits an asynchronous handler and detects a mismatch', async () => {
    const handler = makeToyHandler();
    await runDataDrivenFileAsync(join(testdataDir, 'blanklines.txt'), async (command) => handler(command));
    await expect(
      runDataDrivenFileAsync(join(testdataDir, 'mismatch.txt'), async (command) => handler(command), {
        rewrite: false,
      })
    ).rejects.toThrow(/mismatch\.txt:6/);
  });
});

describe('listDataDrivenFiles', () => {
  it('walks directories recursively in sorted order and skips hidden files', () => {
    const files = listDataDrivenFiles(join(testdataDir, 'walk')).map((path) => path.slice(testdataDir.length + 1));
    expect(files).toEqual(['walk/a.txt', 'walk/nested/b.txt']);
  });
});

// Each walk/ script expects its counter to start at 1, so these registered tests pass only if `forFile` builds a
// fresh handler per file.
describe('runDataDrivenDir with a handler per file', () => {
  runDataDrivenDir(join(testdataDir, 'walk'), { forFile: () => makeToyHandler() });
});
