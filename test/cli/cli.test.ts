// Goal: the `cairn` command parses its arguments, prints help and version, refuses unknown input with a usage
// error (exit 2), validates every flag of `dev` (exit 2 naming the flag), and says plainly that `node` is not in this
// build. Starting a real dev node is test/node/'s job.
// Method: call the exported runCli(argv, io) with in-memory streams and check exit codes and output text.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDevFlags } from '../../src/cli/devCommand.js';
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

describe('cairn node', () => {
  it('says it is not implemented yet, on stderr, with exit 2', async () => {
    const result = await run('node', '--shards', '8');
    expect(result.exitCode).toBe(exitCodeUsage);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('cairn node: not yet implemented: arrives with the multi-node cluster');
  });
});

describe('cairn dev flag validation', () => {
  const badFlags: Array<{ argv: string[]; message: RegExp }> = [
    { argv: ['--listen', '127.0.0.1'], message: /^cairn dev: --listen: '127\.0\.0\.1' is not an address/ },
    { argv: ['--listen', '127.0.0.1:70000'], message: /^cairn dev: --listen: port 70000 is out of range/ },
    { argv: ['--listen', ':7233'], message: /^cairn dev: --listen: ':7233' is not an address/ },
    { argv: ['--http-listen', 'localhost:http'], message: /^cairn dev: --http-listen: 'localhost:http' is not/ },
    { argv: ['--shards', '0'], message: /^cairn dev: --shards: '0' is not a shard count/ },
    { argv: ['--shards', '2.5'], message: /^cairn dev: --shards: '2\.5' is not a shard count/ },
    { argv: ['--shards', '1025'], message: /^cairn dev: --shards: '1025' is not a shard count/ },
    { argv: ['--shards'], message: /^cairn dev: --shards needs a value/ },
    { argv: ['--data-dir', ''], message: /^cairn dev: --data-dir needs a value/ },
    { argv: ['--frobnicate'], message: /^cairn dev: unknown option '--frobnicate'/ },
    { argv: ['extra'], message: /^cairn dev: unexpected argument 'extra'/ },
  ];

  it('refuses each bad flag with exit 2 and a message naming it, before starting anything', async () => {
    for (const { argv, message } of badFlags) {
      const result = await run('dev', ...argv);
      expect(result.exitCode, argv.join(' ')).toBe(exitCodeUsage);
      expect(result.stdout, argv.join(' ')).toBe('');
      expect(result.stderr, argv.join(' ')).toMatch(message);
      expect(result.stderr, argv.join(' ')).toContain('Usage: cairn <command> [options]');
    }
  });

  it('accepts IPv6 addresses in brackets and the --flag=value form', () => {
    expect(parseDevFlags(['--listen=[::1]:0', '--http-listen', 'localhost:8080', '--shards=3'])).toEqual({
      dataDir: './.cairn',
      listen: { host: '::1', port: 0 },
      httpListen: { host: 'localhost', port: 8080 },
      shards: 3,
    });
  });

  it('defaults to ./.cairn, 127.0.0.1:7233, 127.0.0.1:8233 and the stored (or default 8) shard count', () => {
    expect(parseDevFlags([])).toEqual({
      dataDir: './.cairn',
      listen: { host: '127.0.0.1', port: 7233 },
      httpListen: { host: '127.0.0.1', port: 8233 },
      shards: undefined,
    });
  });
});

describe('per-command help', () => {
  it('cairn dev --help prints the usage with the dev options and exits 0', async () => {
    const result = await run('dev', '--help');
    expect(result.exitCode).toBe(exitCodeSuccess);
    expect(result.stdout).toContain('--data-dir');
    expect(result.stderr).toBe('');
  });
});
