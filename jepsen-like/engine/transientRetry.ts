/**
 * Retrying client calls across a node restart. A call that fails with a gRPC status the SDK itself deems retryable
 * (UNAVAILABLE, UNKNOWN, RESOURCE_EXHAUSTED, ABORTED, DATA_LOSS, OUT_OF_RANGE, the transport's INTERNAL cases) or with
 * DEADLINE_EXCEEDED is transient: the node is down or restarting. Anything else is an answer and is returned to the
 * caller: a NOT_FOUND for a workflow the node accepted, for instance, is a finding and must not be retried away.
 */
import { status as grpcStatus } from '@grpc/grpc-js';
import { isGrpcServiceError, isRetryableError } from '@temporalio/client';

/** Counts of the transient failures that were retried, by gRPC status name. */
export type TransientTally = Map<string, number>;

/** The gRPC status of `error` or of the first error in its `cause` chain that carries one. */
export function grpcCodeOf(error: unknown): number | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    if (isGrpcServiceError(current)) return current.code;
    current = current.cause;
  }
  return undefined;
}

/** Whether `error` means "the node is not reachable right now" rather than an answer from it. */
export function isTransient(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    if (isGrpcServiceError(current)) {
      if (current.code === grpcStatus.DEADLINE_EXCEEDED) return true;
      return isRetryableError({ code: current.code, details: current.details, metadata: current.metadata });
    }
    current = current.cause;
  }
  return false;
}

/** A call that kept failing transiently until its deadline. */
export class RetryDeadlineError extends Error {
  override readonly name = 'RetryDeadlineError';
}

/** Options of {@link retryTransient}. */
export interface RetryOptions {
  /** Give up (throw {@link RetryDeadlineError}) once this much time has passed since the first attempt. */
  readonly deadlineMs: number;
  readonly tally: TransientTally;
  /** Called before each retry, with the error that caused it (a start's retry must know it is one). */
  readonly onRetry?: (error: unknown) => void;
}

const backoffFirstMs = 100;
const backoffMaxMs = 2_000;

/** Runs `operation` until it succeeds or fails non-transiently; retries transient failures with backoff. */
export async function retryTransient<T>(what: string, operation: () => Promise<T>, options: RetryOptions): Promise<T> {
  const firstAttemptAtMs = performance.now();
  let backoffMs = backoffFirstMs;
  for (;;) {
    try {
      return await operation();
    } catch (error) {
      if (!isTransient(error)) throw error;
      const code = grpcCodeOf(error);
      const name = code === undefined ? 'unknown' : (grpcStatus[code] ?? String(code));
      options.tally.set(name, (options.tally.get(name) ?? 0) + 1);
      if (performance.now() - firstAttemptAtMs > options.deadlineMs) {
        throw new RetryDeadlineError(`${what}: still failing after ${options.deadlineMs} ms: ${String(error)}`, {
          cause: error,
        });
      }
      options.onRetry?.(error);
      await new Promise((resolve) => setTimeout(resolve, backoffMs));
      backoffMs = Math.min(backoffMaxMs, backoffMs * 2);
    }
  }
}
