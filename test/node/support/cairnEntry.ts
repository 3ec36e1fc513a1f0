// The `cairn` command run from source, for tests that need a real process: what bin/cairn.js does with dist/.
import { runCli } from '../../../src/cli/main.js';

process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
