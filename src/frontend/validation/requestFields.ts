/**
 * Field validation for decoded requests. Each helper returns the checked value or throws an
 * {@link InvalidArgumentError} whose message names the field and says what is expected, e.g.
 * `workflowId is 1001 characters long; the limit is 1000`.
 */
import { InvalidArgumentError } from '../errors.js';
import { identifierCharsMax } from './limits.js';

/** A required non-empty string of at most `charsMax` characters (workflow ids, type and queue names). */
export function requireIdentifier(value: unknown, field: string, charsMax = identifierCharsMax): string {
  if (value === undefined || value === '') {
    throw new InvalidArgumentError(`${field} is required: set it to a non-empty string`);
  }
  if (typeof value !== 'string') {
    throw new InvalidArgumentError(`${field} must be a string`);
  }
  if (value.length > charsMax) {
    throw new InvalidArgumentError(`${field} is ${value.length} characters long; the limit is ${charsMax}`);
  }
  return value;
}

/** The request's `namespace` field: required, at most {@link identifierCharsMax} characters. */
export function requireNamespace(value: unknown, field = 'namespace'): string {
  return requireIdentifier(value, field);
}

/** The request's `workflowId`: required, at most {@link identifierCharsMax} characters. */
export function requireWorkflowId(value: unknown, field = 'workflowId'): string {
  return requireIdentifier(value, field);
}

/** An optional string of at most `charsMax` characters; unset and empty both give `''`. */
export function optionalIdentifier(value: unknown, field: string, charsMax = identifierCharsMax): string {
  if (value === undefined || value === '') {
    return '';
  }
  return requireIdentifier(value, field, charsMax);
}

/** An optional non-negative int32 (page sizes, counts); unset gives `fallback`. */
export function optionalNonNegativeInt(value: unknown, field: string, fallback: number): number {
  if (value === undefined) {
    return fallback;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new InvalidArgumentError(`${field} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

/** Optional `bytes` (page tokens); unset gives an empty Buffer. */
export function optionalBytes(value: unknown, field: string): Buffer {
  if (value === undefined) {
    return Buffer.alloc(0);
  }
  if (!Buffer.isBuffer(value)) {
    throw new InvalidArgumentError(`${field} must be bytes`);
  }
  return value;
}
