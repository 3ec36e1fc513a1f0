/**
 * Goal: the chunked snapshot transfer delivers a payload intact, or not at all, whatever the network does to
 * its chunks. Method: unit cases for splitting, reassembly and rejection (size, checksum, stray chunks), then a
 * fast-check property that drives a sender and a reassembler through a lossy, duplicating, reordering channel
 * with ticks and acks: the transfer either finishes with a byte-identical payload or reports failure.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SnapshotReassembler,
  SnapshotSender,
  crc32,
  splitIntoChunks,
  type SnapshotChunk,
} from '../../../src/raft/transport/snapshotTransfer.js';

const bytes = (length: number, seed = 7): Uint8Array => Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);

describe('snapshot chunks: split and reassemble', () => {
  it('crc32 matches the IEEE reference value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('splits into ceil(size / chunkBytes) chunks covering the payload', () => {
    const chunks = splitIntoChunks(1, bytes(1000), 64);
    expect(chunks).toHaveLength(16);
    expect(chunks.map((chunk) => chunk.offset)).toEqual(Array.from({ length: 16 }, (_, i) => i * 64));
    expect(chunks[15]?.data.length).toBe(1000 - 15 * 64);
  });

  it('an empty payload is one empty chunk and reassembles', () => {
    const [chunk] = splitIntoChunks(2, new Uint8Array(0), 64);
    expect(chunk?.data.length).toBe(0);
    const result = new SnapshotReassembler(2, 0, crc32(new Uint8Array(0))).accept(chunk as SnapshotChunk);
    expect(result.status).toBe('complete');
  });

  it('reassembles out of order with duplicates', () => {
    const payload = bytes(500);
    const chunks = splitIntoChunks(3, payload, 100);
    const reassembler = new SnapshotReassembler(3, 500, crc32(payload));
    const order = [4, 2, 2, 0, 3, 0, 1];
    const results = order.map((i) => reassembler.accept(chunks[i] as SnapshotChunk));
    expect(results.slice(0, -1).every((result) => result.status === 'incomplete')).toBe(true);
    const last = results[results.length - 1];
    expect(last?.status).toBe('complete');
    if (last?.status === 'complete') expect(Buffer.from(last.payload).equals(Buffer.from(payload))).toBe(true);
  });

  it('rejects a chunk from another transfer, a wrong size, and a corrupted payload', () => {
    const payload = bytes(200);
    const chunks = splitIntoChunks(4, payload, 100);
    expect(new SnapshotReassembler(5, 200, crc32(payload)).accept(chunks[0] as SnapshotChunk).status).toBe('rejected');
    expect(new SnapshotReassembler(4, 300, crc32(payload)).accept(chunks[0] as SnapshotChunk).status).toBe('rejected');
    const corrupted = { ...(chunks[1] as SnapshotChunk), data: bytes(100, 99) };
    const reassembler = new SnapshotReassembler(4, 200, crc32(payload));
    reassembler.accept(chunks[0] as SnapshotChunk);
    expect(reassembler.accept(corrupted)).toEqual({ status: 'rejected', reason: 'checksum mismatch' });
  });
});

describe('snapshot chunks: sender and receiver over a faulty channel', () => {
  it('either delivers the exact payload or reports failure', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3000 }),
        fc.constantFrom(64, 100, 512, 4096),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })),
        (size, chunkBytes, loss, coins) => {
          const payload = bytes(size, size);
          const sender = new SnapshotSender(1, payload, {
            chunkBytes,
            windowChunks: 8,
            retransmitTicks: 3,
            transferTicksMax: 400,
          });
          const reassembler = new SnapshotReassembler(1, size, crc32(payload));
          const coin = coins[Symbol.iterator]();
          const flip = (): number => coin.next().value as number;
          let inFlight: SnapshotChunk[] = [...sender.start()];
          let delivered: Uint8Array | null = null;
          for (let tick = 0; tick < 500 && !sender.isFinished; tick++) {
            // Deliver a shuffled, lossy, duplicated batch.
            const batch = inFlight
              .filter(() => flip() >= loss)
              .flatMap((chunk) => (flip() < 0.2 ? [chunk, chunk] : [chunk]));
            batch.sort(() => flip() - 0.5);
            inFlight = [];
            for (const chunk of batch) {
              const result = reassembler.accept(chunk);
              const ack =
                result.status === 'complete'
                  ? { transferId: 1, ackedBytes: size, done: true }
                  : result.status === 'incomplete'
                    ? { transferId: 1, ackedBytes: result.ackedBytes, done: false }
                    : null;
              if (result.status === 'complete') delivered = result.payload;
              if (ack === null || flip() < loss) continue;
              const reply = sender.onAck(ack);
              if (reply !== 'finish') inFlight.push(...reply);
            }
            const ticked = sender.onTick();
            if (ticked.status === 'failed') break;
            inFlight.push(...ticked.chunks);
          }
          if (sender.isFinished && delivered !== null) {
            expect(Buffer.from(delivered).equals(Buffer.from(payload))).toBe(true);
          }
          if (delivered !== null) expect((delivered as Uint8Array).length).toBe(size);
          if (loss === 0) expect(delivered).not.toBeNull();
        }
      ),
      { numRuns: 200 }
    );
  });
});
