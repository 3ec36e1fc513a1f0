/**
 * The benchmark's proposal payload: `payloadBytes` bytes whose first 8 hold the proposal id (a float64,
 * big-endian, exact for ids below 2^53), so the applier can match a committed entry to the proposal waiting
 * for it. The rest is a fixed filler, as an opaque command of that size would be.
 */

/** Bytes the id takes at the start of a payload; payloads must be at least this long. */
export const PROPOSAL_ID_BYTES = 8;

/** Builds the payload of proposal `proposalId`. */
export function encodeProposalPayload(proposalId: number, payloadBytes: number): Uint8Array {
  if (payloadBytes < PROPOSAL_ID_BYTES) {
    throw new RangeError(`payload must be at least ${PROPOSAL_ID_BYTES} bytes, got ${payloadBytes}`);
  }
  if (!Number.isSafeInteger(proposalId) || proposalId < 0) throw new RangeError(`bad proposal id ${proposalId}`);
  const payload = new Uint8Array(payloadBytes);
  payload.fill(0x61, PROPOSAL_ID_BYTES);
  new DataView(payload.buffer).setFloat64(0, proposalId);
  return payload;
}

/** The proposal id in a committed entry's data, or null for data the benchmark did not propose (no-ops). */
export function decodeProposalId(data: Uint8Array): number | null {
  if (data.byteLength < PROPOSAL_ID_BYTES) return null;
  return new DataView(data.buffer, data.byteOffset, PROPOSAL_ID_BYTES).getFloat64(0);
}
