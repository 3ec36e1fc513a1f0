/**
 * Typed errors of the node process. A {@link NodeStartError} is bad input or a busy resource, not a bug: its
 * message says what went wrong and what to do, and the CLI prints it as is (exit code 1), with no stack trace.
 */

/** The node could not start: a port is in use, the data directory is unusable, the stored data refuses the flags. */
export class NodeStartError extends Error {
  override readonly name = 'NodeStartError';
}

/** A `host:port` flag value that is not one; the message names the flag and the expected form. */
export class ListenAddressError extends Error {
  override readonly name = 'ListenAddressError';
}
