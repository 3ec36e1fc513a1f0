/**
 * Request limits the frontend enforces, Temporal's defaults (TEMPORAL-API.md §10). Sizes in bytes, where Temporal's
 * "MB" is 2^20 bytes.
 */

/** Longest namespace name, workflow id, type name, task queue name or request id, in characters. */
export const identifierCharsMax = 1000;

/** A single payload (or the payloads of one field) above this is rejected with INVALID_ARGUMENT. */
export const payloadBytesMax = 2 * 1024 * 1024;

/** A payload above this is accepted with a warning log (Temporal's code warns at 512 KB; its docs say 256 KB). */
export const payloadBytesWarn = 512 * 1024;

/** Largest `pageSize` accepted by list RPCs; larger values are clamped, not rejected (Temporal clamps too). */
export const listPageSizeMax = 1000;
