// A process whose graceful stop never ends: it reports each step on stdout, so a test can send the second signal
// while the first one's stop is still running and check that the process exits at once.
import { waitForShutdownSignal } from '../../../src/cli/shutdownSignals.js';

const shutdown = waitForShutdownSignal((signal) => process.stdout.write(`forced ${signal}\n`));
// Keeps the process alive: the "graceful stop" below never ends, so only a second signal (or the test's guard) does.
setInterval(() => undefined, 60_000);
process.stdout.write('armed\n');
const signal = await shutdown.signal;
process.stdout.write(`stopping after ${signal}\n`);
