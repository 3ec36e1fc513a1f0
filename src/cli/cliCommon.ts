/**
 * What every `cairn` command shares: the output streams, the exit codes and the usage error.
 */

/** Where the CLI writes; `process.stdout`/`process.stderr` fit, and so does a test buffer. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** Exit codes: 0 success, 1 runtime failure, 2 usage error or a command this build does not implement. */
export const exitCodeSuccess = 0;
export const exitCodeFailure = 1;
export const exitCodeUsage = 2;

/** A usage error: unknown command or option, a bad flag value, or a missing argument. Exit 2, with the usage. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}
