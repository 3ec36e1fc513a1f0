/**
 * Goal: no request bytes can crash the frontend or make it answer INTERNAL (TEMPORAL-API.md §9: INTERNAL is for bugs,
 * and clients stop retrying it). Every call gets a status; served RPCs answer OK or a typed client error; unserved RPCs
 * answer UNIMPLEMENTED; afterwards the server still answers a valid call and has logged no error.
 * Method: seeded fast-check (FUZZ_SEED overrides the seed; fast-check prints seed and path on failure). Each run picks
 * an RPC of any served service and sends, through a generic client that passes bytes through, either random bytes or
 * a valid encoded request mutated by flips, truncation, insertion or appended garbage.
 */
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultHandlerTable } from '../../src/frontend/handlers/handlerTable.js';
import { encodeMessage, type ProtoObject } from '../../src/frontend/proto/protoCodec.js';
import { frontendServiceBindings, type RpcMethod } from '../../src/frontend/proto/serviceDefinitions.js';
import { FrontendServer } from '../../src/frontend/server.js';
import { rawClient, serviceClient, type RawClient } from './support/rawClient.js';
import { capturingLogger } from './support/silentLogger.js';
import { mutate, mutationArb as fcMutationArb } from './support/byteMutations.js';

const seed = process.env.FUZZ_SEED === undefined ? 20_261_125 : Number(process.env.FUZZ_SEED);
const runs = 400;

const methods: RpcMethod[] = frontendServiceBindings().flatMap((binding) => [...binding.methods]);
const served = new Set(defaultHandlerTable().keys());
/** Outcomes of served RPCs by status name, to check that the fuzzer reached both handlers and the decode guard. */
const servedOutcomes = new Map<string, number>();

/** Field values used to build a plausible valid request for any method (only fields the type has are kept). */
const plausibleFields: ProtoObject = {
  namespace: 'default',
  workflowId: 'wf-1',
  service: '',
  pageSize: 2,
  identity: '123@host',
  requestId: 'req-1',
  workflowType: { name: 'hello' },
  taskQueue: { name: 'tq', kind: 'TASK_QUEUE_KIND_NORMAL' },
  execution: { workflowId: 'wf-1', runId: 'run-1' },
};

function validRequestBytes(method: RpcMethod): Buffer {
  const fields = Object.fromEntries(
    Object.entries(plausibleFields).filter(([name]) => method.requestType.fields[name] !== undefined)
  );
  return encodeMessage(method.requestType, fields);
}

const mutationArb = fcMutationArb(16, 64);

const bodyArb = (method: RpcMethod): fc.Arbitrary<Buffer> =>
  fc.oneof(
    fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
    fc
      .array(mutationArb, { minLength: 1, maxLength: 4 })
      .map((mutations) => mutate(validRequestBytes(method), mutations))
  );

/** Half the runs target the served RPCs, which would otherwise be 4 of about 140 methods. */
const methodArb = fc.oneof(
  fc.constantFrom(...methods.filter((m) => served.has(m.rpcName))),
  fc.constantFrom(...methods)
);
const callArb = methodArb.chain((method) => bodyArb(method).map((body) => ({ method, body })));

/** Statuses a served RPC may give for hostile input: typed client errors, never INTERNAL. */
const clientErrorCodes = new Set([grpc.status.INVALID_ARGUMENT, grpc.status.NOT_FOUND]);

const log = capturingLogger();
let server: FrontendServer;
let port: number;
let client: RawClient;

beforeAll(async () => {
  server = new FrontendServer({ logger: log.logger });
  port = await server.start('127.0.0.1', 0);
  client = rawClient(port);
});

afterAll(async () => {
  client.close();
  await server.stop();
});

describe('fuzzing every RPC with raw bytes', () => {
  it(`answers every call with a status, never INTERNAL (seed ${seed}, ${runs} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(callArb, async ({ method, body }) => {
        const outcome = await client.call(method.path, body);
        const streaming = method.requestStream || method.responseStream;
        if (!served.has(method.rpcName) || streaming) {
          expect(outcome.ok).toBe(false);
          expect(outcome.ok ? -1 : outcome.error.code).toBe(grpc.status.UNIMPLEMENTED);
        } else {
          const name = outcome.ok ? 'OK' : grpc.status[outcome.error.code];
          servedOutcomes.set(name, (servedOutcomes.get(name) ?? 0) + 1);
          expect(outcome.ok || clientErrorCodes.has(outcome.error.code), name).toBe(true);
        }
      }),
      { seed, numRuns: runs }
    );
    // Served RPCs answered both successfully and with INVALID_ARGUMENT (bytes that did not decode, or bad fields).
    expect(servedOutcomes.get('OK') ?? 0).toBeGreaterThan(0);
    expect(servedOutcomes.get('INVALID_ARGUMENT') ?? 0).toBeGreaterThan(0);
  });

  it('afterwards the server answers a valid call and has logged no error', async () => {
    const workflow = serviceClient(port, 'temporal.api.workflowservice.v1.WorkflowService');
    try {
      const outcome = await workflow.call('DescribeNamespace', { namespace: 'default' });
      expect(outcome.ok).toBe(true);
    } finally {
      workflow.close();
    }
    expect(log.records.filter((record) => Number(record.level) >= 50)).toEqual([]);
  });
});
