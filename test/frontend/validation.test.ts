/**
 * Goal: request validation rejects bad fields with INVALID_ARGUMENT errors that name the field and the limit, and
 * warns (without rejecting) about payloads approaching the 2 MB limit (TEMPORAL-API.md §10).
 * Method: call each helper with valid, missing, wrongly typed and boundary values; a capturing logger records warnings.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/frontend/errors.js';
import { identifierCharsMax, payloadBytesMax, payloadBytesWarn } from '../../src/frontend/validation/limits.js';
import { checkPayloadsSize, payloadsBytes } from '../../src/frontend/validation/payloadSize.js';
import {
  optionalBytes,
  optionalIdentifier,
  optionalNonNegativeInt,
  requireNamespace,
  requireWorkflowId,
} from '../../src/frontend/validation/requestFields.js';
import { capturingLogger } from './support/silentLogger.js';

function invalidArgument(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return (error as Error).message;
  }
  throw new Error('expected an InvalidArgumentError');
}

describe('identifiers', () => {
  it('accepts a namespace and a workflow id up to 1000 characters', () => {
    expect(identifierCharsMax).toBe(1000);
    expect(requireNamespace('default')).toBe('default');
    expect(requireWorkflowId('w'.repeat(1000))).toHaveLength(1000);
  });

  it('rejects missing, empty, non-string and too-long values, naming the field', () => {
    expect(invalidArgument(() => requireNamespace(undefined))).toBe(
      'namespace is required: set it to a non-empty string'
    );
    expect(invalidArgument(() => requireWorkflowId(''))).toBe('workflowId is required: set it to a non-empty string');
    expect(invalidArgument(() => requireWorkflowId(7))).toBe('workflowId must be a string');
    expect(invalidArgument(() => requireWorkflowId('w'.repeat(1001)))).toBe(
      'workflowId is 1001 characters long; the limit is 1000'
    );
  });

  it('optional identifiers default to empty but keep the length limit', () => {
    expect(optionalIdentifier(undefined, 'id')).toBe('');
    expect(invalidArgument(() => optionalIdentifier('i'.repeat(1001), 'id'))).toMatch(/^id is 1001 characters/);
  });
});

describe('numbers and bytes', () => {
  it('optionalNonNegativeInt takes the fallback when unset and rejects negatives and fractions', () => {
    expect(optionalNonNegativeInt(undefined, 'pageSize', 5)).toBe(5);
    expect(optionalNonNegativeInt(3, 'pageSize', 5)).toBe(3);
    expect(invalidArgument(() => optionalNonNegativeInt(-1, 'pageSize', 5))).toBe(
      'pageSize must be a non-negative integer, got -1'
    );
    expect(invalidArgument(() => optionalNonNegativeInt(1.5, 'pageSize', 5))).toMatch(/^pageSize/);
  });

  it('optionalBytes gives an empty buffer when unset and rejects non-bytes', () => {
    expect(optionalBytes(undefined, 'nextPageToken').length).toBe(0);
    expect(invalidArgument(() => optionalBytes('x', 'nextPageToken'))).toBe('nextPageToken must be bytes');
  });
});

describe('payload size', () => {
  const payloads = (dataBytes: number): unknown => ({
    payloads: [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.alloc(dataBytes) }],
  });
  const metadataBytes = 'encoding'.length + 'json/plain'.length;

  it('counts data, metadata keys and metadata values', () => {
    expect(payloadsBytes(payloads(100))).toBe(100 + metadataBytes);
    expect(payloadsBytes(undefined)).toBe(0);
  });

  it('accepts small payloads silently', () => {
    const log = capturingLogger();
    expect(checkPayloadsSize(payloads(10), 'input', log.logger)).toBe(10 + metadataBytes);
    expect(log.records).toHaveLength(0);
  });

  it('warns above 512 KB and still accepts', () => {
    expect(payloadBytesWarn).toBe(512 * 1024);
    const log = capturingLogger();
    checkPayloadsSize(payloads(payloadBytesWarn), 'input', log.logger);
    expect(log.records).toHaveLength(1);
    expect(log.records[0]).toMatchObject({ level: 40, field: 'input', sizeBytes: payloadBytesWarn + metadataBytes });
  });

  it('rejects above 2 MB, naming the field', () => {
    expect(payloadBytesMax).toBe(2 * 1024 * 1024);
    const log = capturingLogger();
    const message = invalidArgument(() => checkPayloadsSize(payloads(payloadBytesMax), 'input', log.logger));
    expect(message).toMatch(/^input is \d+ bytes; the payload limit is 2097152 bytes/);
  });
});
