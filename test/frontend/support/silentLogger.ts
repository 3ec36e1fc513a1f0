/**
 * Loggers for frontend tests: silent by default, or capturing records in memory to assert on what was logged.
 */
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

/** A logger that drops everything. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** A logger that keeps every record (level `debug` and up) as parsed JSON. */
export function capturingLogger(): { logger: Logger; records: Array<Record<string, unknown>> } {
  const records: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') {
          records.push(JSON.parse(line) as Record<string, unknown>);
        }
      }
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), records };
}
