/**
 * Graceful shutdown on SIGINT/SIGTERM: the first signal starts a graceful stop; a second one, while that stop is
 * still running, exits the process at once with 128 + the signal's number (the shell convention), because
 * someone pressing Ctrl-C twice wants out now.
 */
import { constants } from 'node:os';

const shutdownSignals = ['SIGINT', 'SIGTERM'] as const;

/** Exit code of a process ended by `signal`: 128 + its number (130 for SIGINT, 143 for SIGTERM). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}

/**
 * Resolves with the first SIGINT/SIGTERM received. From then on, another one exits the process immediately.
 * `dispose` removes the handlers (call it once the graceful stop is over).
 */
export function waitForShutdownSignal(onForcedExit: (signal: NodeJS.Signals) => void): {
  signal: Promise<NodeJS.Signals>;
  dispose: () => void;
} {
  let received = false;
  let resolveSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const signal = new Promise<NodeJS.Signals>((resolve) => (resolveSignal = resolve));
  const handler = (name: NodeJS.Signals): void => {
    if (received) {
      onForcedExit(name);
      process.exit(signalExitCode(name));
    }
    received = true;
    resolveSignal(name);
  };
  for (const name of shutdownSignals) process.on(name, handler);
  const dispose = (): void => {
    for (const name of shutdownSignals) process.off(name, handler);
  };
  return { signal, dispose };
}
