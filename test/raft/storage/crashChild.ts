// Child process of crash.test.ts (run with `node --import tsx crashChild.ts <dataDir> <seed>`); not a test file.
// Goal: write Raft logs the way a node does until SIGKILL arrives at an unknown point, announcing each write
// before it is handed to the log writer and acknowledging it only once the writer resolved it (durable).
// Method: three groups write concurrently through the node's one LogWriter, each awaiting its previous write:
// appends, occasional conflicting-suffix truncations with a new term, commit advancing over acked entries, and
// now and then createSnapshot + compact. Each entry's data names its group, index and term so the parent can check
// every byte it reads back. Lines: `persist group=G from=F lastIndex=L term=T commit=C` before the write,
// `acked group=G from=F lastIndex=L term=T commit=C` after it resolved.
import { SeededRandom } from '../../../src/raft/core/random.js';
import type { Entry } from '../../../src/raft/core/types.js';
import { LevelLogDb } from '../../../src/raft/storage/levelLogDb.js';
import { LevelRaftStorage } from '../../../src/raft/storage/levelRaftStorage.js';

export const CRASH_GROUP_IDS = [1, 2, 3] as const;
/** A bound on the child's work in case the parent never kills it. */
const WRITES_PER_GROUP_MAX = 20_000;
const CONF_STATE = { voters: [1], learners: [] };

/** The data of entry `index` of `groupId` written in `term`, padded to `paddingBytes` extra bytes. */
export function crashEntryData(groupId: number, index: number, term: number, paddingBytes: number): Uint8Array {
  const label = new TextEncoder().encode(`g${groupId} i${index} t${term}|`);
  const data = new Uint8Array(label.length + paddingBytes).fill(0x2e);
  data.set(label);
  return data;
}

/** The label at the start of an entry's data, as crashEntryData wrote it. */
export function crashEntryLabel(data: Uint8Array): string {
  const text = new TextDecoder().decode(data);
  return text.slice(0, text.indexOf('|'));
}

function line(
  kind: 'persist' | 'acked',
  groupId: number,
  from: number,
  lastIndex: number,
  term: number,
  commit: number
): void {
  // Writes to a pipe are synchronous on Linux, so a line is out before the next step (and before any kill).
  process.stdout.write(`${kind} group=${groupId} from=${from} lastIndex=${lastIndex} term=${term} commit=${commit}\n`);
}

async function runGroup(db: LevelLogDb, groupId: number, random: SeededRandom): Promise<void> {
  const storage = await LevelRaftStorage.open(db, groupId);
  let term = Math.max(1, storage.hardState().term);
  for (let write = 1; write <= WRITES_PER_GROUP_MAX; write++) {
    if (write % 40 === 0) await snapshotAndCompact(storage, random);
    const commit = storage.hardState().commit;
    const lastIndex = storage.lastIndex();
    let from = lastIndex + 1;
    if (random.float() < 0.12 && lastIndex > commit && lastIndex >= storage.firstIndex()) {
      // A new leader's entries replace the uncommitted suffix.
      from = random.intInclusive(Math.max(commit + 1, storage.firstIndex()), lastIndex);
      term += 1;
    }
    const to = from + random.intInclusive(1, 4) - 1;
    const entries: Entry[] = [];
    for (let index = from; index <= to; index++) {
      entries.push({
        index,
        term,
        kind: 'normal',
        data: crashEntryData(groupId, index, term, random.intInclusive(0, 200)),
      });
    }
    // Everything before `from` was acked earlier and stays, so it may be committed; lag a little behind so that
    // truncations remain possible.
    const newCommit = Math.max(commit, from - 1 - random.intInclusive(0, 6));
    const ops = { snapshot: null, entries, hardState: { term, vote: 0, commit: newCommit } };
    line('persist', groupId, from, to, term, newCommit);
    await db.logWriter.persist([{ groupId, ops }]);
    storage.applyPersisted(ops);
    line('acked', groupId, from, to, term, newCommit);
  }
}

async function snapshotAndCompact(storage: LevelRaftStorage, random: SeededRandom): Promise<void> {
  const commit = storage.hardState().commit;
  if (commit <= storage.snapshot().metadata.index || commit < storage.firstIndex() - 1) return;
  await storage.createSnapshot(commit, CONF_STATE, new Uint8Array(random.intInclusive(0, 3000)).fill(7));
  const compactIndex = commit - random.intInclusive(0, 20);
  if (compactIndex >= storage.firstIndex()) await storage.compact(compactIndex);
}

async function main(): Promise<void> {
  const [dataDir, seedText] = process.argv.slice(2);
  if (dataDir === undefined || seedText === undefined) throw new Error('usage: crashChild.ts <dataDir> <seed>');
  const db = await LevelLogDb.open(dataDir, { logWriter: { snapshotChunkBytes: 1024 } });
  await Promise.all(
    CRASH_GROUP_IDS.map((groupId) => runGroup(db, groupId, new SeededRandom(Number(seedText) * 10 + groupId)))
  );
  await db.close();
  process.stdout.write('done\n');
}

// Imported by the parent for the helpers above; runs only as the child's entry point.
if (process.argv[1]?.endsWith('crashChild.ts')) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `crash child failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`
    );
    process.exit(1);
  });
}
