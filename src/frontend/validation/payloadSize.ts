/**
 * Payload size checks (TEMPORAL-API.md §10): a field's payloads above {@link payloadBytesMax} are rejected with
 * INVALID_ARGUMENT naming the field; above {@link payloadBytesWarn} they pass with a warning log, so operators see
 * workflows heading for the limit before they hit it.
 */
import type { Logger } from 'pino';
import { InvalidArgumentError } from '../errors.js';
import { payloadBytesMax, payloadBytesWarn } from './limits.js';

function bufferBytes(value: unknown): number {
  return Buffer.isBuffer(value) ? value.byteLength : 0;
}

/** Size of one `temporal.api.common.v1.Payload` (proto-loader shape): its data plus its metadata values and keys. */
export function payloadBytes(payload: unknown): number {
  if (payload === null || typeof payload !== 'object') {
    return 0;
  }
  const { data, metadata } = payload as { data?: unknown; metadata?: unknown };
  let total = bufferBytes(data);
  if (metadata !== null && typeof metadata === 'object') {
    for (const [key, value] of Object.entries(metadata)) {
      total += Buffer.byteLength(key) + bufferBytes(value);
    }
  }
  return total;
}

/** Size of a `temporal.api.common.v1.Payloads` (`{payloads: Payload[]}`); unset counts as 0. */
export function payloadsBytes(payloads: unknown): number {
  if (payloads === null || typeof payloads !== 'object') {
    return 0;
  }
  const list = (payloads as { payloads?: unknown }).payloads;
  if (!Array.isArray(list)) {
    return 0;
  }
  return list.reduce((total: number, payload: unknown) => total + payloadBytes(payload), 0);
}

/**
 * Checks a `Payloads` field: throws INVALID_ARGUMENT above {@link payloadBytesMax}, logs a warning above
 * {@link payloadBytesWarn}. Returns the size in bytes.
 */
export function checkPayloadsSize(payloads: unknown, field: string, logger: Logger): number {
  const sizeBytes = payloadsBytes(payloads);
  if (sizeBytes > payloadBytesMax) {
    throw new InvalidArgumentError(
      `${field} is ${sizeBytes} bytes; the payload limit is ${payloadBytesMax} bytes: pass a reference to the data instead`
    );
  }
  if (sizeBytes > payloadBytesWarn) {
    logger.warn({ field, sizeBytes, payloadBytesWarn, payloadBytesMax }, 'payload is close to the size limit');
  }
  return sizeBytes;
}
