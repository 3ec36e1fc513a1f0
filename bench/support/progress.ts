/**
 * Progress lines on stderr (stdout carries the report): `[  12.3s] message`, timed from process start.
 */
import { performance } from 'node:perf_hooks';

/** Writes one progress line to stderr. */
export function progress(message: string): void {
  const elapsedS = (performance.now() / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[${elapsedS}s] ${message}\n`);
}
