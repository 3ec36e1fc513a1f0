// Goal: an acknowledged log write survives SIGKILL (TESTING.md invariant 3, "durable acks survive crashes"), and
// a kill at any point leaves every group's log contiguous, checksummed and exactly equal to either its acked state
// or its acked state plus the one write that was in flight.
// Method: crashChild.ts writes three groups through the real LogWriter into a real LevelDB and prints a line before
// each write and after each ack; this test kills it with SIGKILL after a seeded-random number of acks, reopens the
// DB (LevelRaftStorage.open verifies checksums and contiguity), and compares every group with a model rebuilt from
// the child's lines — entry by entry, including each entry's data. Five kills in a row on the same data directory,
// each child continuing from what the previous one left.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CRASH_GROUP_IDS, crashEntryLabel } from './crashChild.js';
import { SeededRandom } from '../../../src/raft/core/random.js';
import { LevelLogDb } from '../../../src/raft/storage/levelLogDb.js';
import { LevelRaftStorage } from '../../../src/raft/storage/levelRaftStorage.js';

const SEED = Number(process.env.SEED ?? 1337);
const KILLS = 5;
const CHILD_PATH = fileURLToPath(new URL('./crashChild.ts', import.meta.url));
const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface WriteLine {
  kind: 'persist' | 'acked';
  groupId: number;
  from: number;
  lastIndex: number;
  term: number;
  commit: number;
}

/** What the parent knows of one group: the log as of its last ack, and the write in flight, if any. */
interface GroupModel {
  /** index → term of the acked log (entries below the durable first index are ignored when checking). */
  terms: Map<number, number>;
  lastIndex: number;
  commit: number;
  pending: WriteLine | null;
}

function parseLine(text: string): WriteLine | null {
  const match = /^(persist|acked) group=(\d+) from=(\d+) lastIndex=(\d+) term=(\d+) commit=(\d+)$/.exec(text);
  if (match === null) return null;
  const [, kind, groupId, from, lastIndex, term, commit] = match;
  return {
    kind: kind as WriteLine['kind'],
    groupId: Number(groupId),
    from: Number(from),
    lastIndex: Number(lastIndex),
    term: Number(term),
    commit: Number(commit),
  };
}

/** The model's log after `write` lands on it. */
function applyWrite(model: GroupModel, write: WriteLine): Map<number, number> {
  const terms = new Map([...model.terms].filter(([index]) => index < write.from));
  for (let index = write.from; index <= write.lastIndex; index++) terms.set(index, write.term);
  return terms;
}

function onLine(models: Map<number, GroupModel>, write: WriteLine): void {
  const model = models.get(write.groupId);
  if (model === undefined) throw new Error(`line for unknown group ${write.groupId}`);
  if (write.kind === 'persist') {
    expect(model.pending, `group ${write.groupId}: two writes in flight`).toBeNull();
    model.pending = write;
    return;
  }
  expect(model.pending, `group ${write.groupId}: ack without a persist line`).toEqual({ ...write, kind: 'persist' });
  model.terms = applyWrite(model, write);
  model.lastIndex = write.lastIndex;
  model.commit = write.commit;
  model.pending = null;
}

/** Runs one child until it has acked `killAfterAcks` writes, kills it, and returns how many acks it printed. */
async function runChildUntilKilled(
  dataDir: string,
  seed: number,
  killAfterAcks: number,
  models: Map<number, GroupModel>
) {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD_PATH, dataDir, String(seed)], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal }))
  );
  let acks = 0;
  for await (const text of createInterface({ input: child.stdout })) {
    const write = parseLine(text);
    if (write === null) throw new Error(`unexpected child output: ${text}\n${stderr}`);
    onLine(models, write);
    if (write.kind === 'acked') acks++;
    if (acks === killAfterAcks) child.kill('SIGKILL');
  }
  const exit = await exited;
  expect(exit.signal, `the child must die of SIGKILL, not exit on its own (stderr: ${stderr})`).toBe('SIGKILL');
  return acks;
}

/** Checks one reopened group against the model: acked state, or acked state plus the in-flight write. */
function checkGroup(storage: LevelRaftStorage, model: GroupModel): { landedInFlight: boolean } {
  const pending = model.pending;
  const landed =
    pending !== null &&
    storage.lastIndex() === pending.lastIndex &&
    storage.lastIndex() >= storage.firstIndex() &&
    storage.term(pending.lastIndex) === pending.term &&
    storage.hardState().commit === pending.commit;
  const terms = landed && pending !== null ? applyWrite(model, pending) : model.terms;
  const lastIndex = landed && pending !== null ? pending.lastIndex : model.lastIndex;
  const commit = landed && pending !== null ? pending.commit : model.commit;
  const group = `group ${storage.groupId}`;
  expect(storage.lastIndex(), `${group} last index`).toBe(lastIndex);
  expect(storage.hardState().commit, `${group} commit`).toBe(commit);
  expect(storage.firstIndex() - 1, `${group} compaction point ≤ commit`).toBeLessThanOrEqual(commit);
  for (const entry of storage.entries(storage.firstIndex(), storage.lastIndex() + 1, Number.MAX_SAFE_INTEGER)) {
    expect(entry.term, `${group} term of entry ${entry.index}`).toBe(terms.get(entry.index));
    expect(crashEntryLabel(entry.data)).toBe(`g${storage.groupId} i${entry.index} t${entry.term}`);
  }
  const snapshot = storage.snapshot().metadata;
  if (snapshot.index >= storage.firstIndex() - 1) expect(snapshot.term).toBe(terms.get(snapshot.index));
  return { landedInFlight: landed };
}

/** Reopens the DB, checks every group, and resets the models to the durable state the next child starts from. */
async function checkAndResync(dataDir: string, models: Map<number, GroupModel>): Promise<string[]> {
  const db = await LevelLogDb.open(dataDir);
  const report: string[] = [];
  try {
    for (const groupId of CRASH_GROUP_IDS) {
      const storage = await LevelRaftStorage.open(db, groupId);
      const model = models.get(groupId) as GroupModel;
      const { landedInFlight } = checkGroup(storage, model);
      report.push(
        `g${groupId}: first=${storage.firstIndex()} last=${storage.lastIndex()} commit=${storage.hardState().commit}` +
          ` term=${storage.hardState().term}${landedInFlight ? ' (+in-flight write landed)' : ''}`
      );
      // From the compaction point on: its term is still known, and a later snapshot may be taken exactly there.
      const terms = new Map<number, number>();
      for (let index = storage.firstIndex() - 1; index <= storage.lastIndex(); index++) {
        terms.set(index, storage.term(index));
      }
      models.set(groupId, { terms, lastIndex: storage.lastIndex(), commit: storage.hardState().commit, pending: null });
    }
  } finally {
    await db.close();
  }
  return report;
}

describe('crash: SIGKILL of a node writing three groups through the log writer', () => {
  let dataDir = '';
  afterAll(async () => {
    if (dataDir !== '') await rm(dataDir, { recursive: true, force: true });
  });

  it(`${KILLS} kills at seeded random points lose no acked write and leave valid logs (seed ${SEED})`, async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cairn-crash-'));
    const random = new SeededRandom(SEED);
    const models = new Map<number, GroupModel>(
      CRASH_GROUP_IDS.map((groupId) => [groupId, { terms: new Map(), lastIndex: 0, commit: 0, pending: null }])
    );
    try {
      for (let run = 1; run <= KILLS; run++) {
        const killAfterAcks = random.intInclusive(200, 600);
        const acks = await runChildUntilKilled(dataDir, SEED * 100 + run, killAfterAcks, models);
        expect(acks).toBeGreaterThanOrEqual(killAfterAcks);
        const report = await checkAndResync(dataDir, models);
        console.log(`run ${run}: kill after ${killAfterAcks} acks, ${acks} acked; ${report.join('; ')}`);
      }
    } catch (error) {
      throw new Error(`crash test failed with SEED=${SEED}: ${String(error)}`, { cause: error });
    }
  });
});
