#!/usr/bin/env node
// Launcher of the `cairn` command: runs the compiled CLI in dist/ (build it with `npm run build`).
import { existsSync } from 'node:fs';

const mainUrl = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(mainUrl)) {
  process.stderr.write('cairn: dist/cli/main.js is missing: run `npm run build` first\n');
  process.exit(1);
}

const { runCli } = await import(mainUrl.href);
try {
  process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
} catch (error) {
  process.stderr.write(`cairn: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
