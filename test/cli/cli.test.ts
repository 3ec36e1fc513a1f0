// Goal: the `cairn` command parses its arguments, prints help and version, refuses unknown input with a usage
// error (exit 2), and says plainly that `dev` and `node` are not in this build.
// Method: call the exported runCli(argv, io) with in-memory streams and check exit codes and output text.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exitCodeSuccess, exitCodeUsage, runCli } from '../../src/cli/main.js';

interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

async function run(...argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const exitCode = await runCli(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { exitCode, stdout, stderr };
}

const packageVersion = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

describe('cairn --help', () => {
  it('prints usage with every command to stdout and exits 0', async () => {
    for (const argv of [['--help'], ['-h'], ['help'], ['help', 'dev']]) {
      const result = await run(...argv);
      expect(result.exitCode, argv.join(' ')).toBe(exitCodeSuccess);
      expect(result.stderr, argv.join(' ')).toBe('');
      expect(result.stdout, argv.join(' ')).toContain('Usage: cairn <command> [options]');
      for (const command of ['dev', 'node', 'version', 'help']) {
        expect(result.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
      }
    }
  });
});

describe('cairn version', () => {
  it('prints the package.json version and exits 0', async () => {
    expect(packageVersion).toMatch(/^\d+\.\d+\.\d+/);
    for (const argv of [['version'], ['--version'], ['-v']]) {
      const result = await run(...argv);
      expect(result, argv.join(' ')).toEqual({
        exitCode: exitCodeSuccess,
        stdout: `cairn ${packageVersion}\n`,
        stderr: '',
      });
    }
  });
});

describe('usage errors', () => {
  it('rejects an unknown global option with a clear message, the usage, and exit 2', async () => {
    const result = await run('--frobnicate');
    expect(result.exitCode).toBe(exitCodeUsage);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^cairn: unknown option '--frobnicate'\n/);
    expect(result.stderr).toContain('Usage: cairn <command> [options]');
  });

  it('rejects an unknown option of a command', async () => {
    const result = await run('version', '--json');
    expect(result.exitCode).toBe(exitCodeUsage);
    expect(result.stderr).toMatch(/^cairn version: unknown option '--json'\n/);
  });

  it('rejects an unknown command', async () => {
    const result = await run('frobnicate');
    expect(result.exitCode).toBe(exitCodeUsage);
    expect(result.stderr).toMatch(/^cairn: unknown command 'frobnicate'\n/);
  });

  it('rejects a missing command', async () => {
    const result = await run();
    expect(result.exitCode).toBe(exitCodeUsage);
    expect(result.stderr).toMatch(/^cairn: missing command\n/);
  });
});

describe('commands not in this build', () => {
  it('dev and node say they are not implemented yet, on stderr, with exit 2', async () => {
    for (const command of ['dev', 'node']) {
      const result = await run(command, '--shards', '8');
      expect(result.exitCode, command).toBe(exitCodeUsage);
      expect(result.stdout, command).toBe('');
      expect(result.stderr, command).toContain(
        `cairn ${command}: not yet implemented in this build: the dev node arrives with the workflow engine`
      );
    }
  });
});
