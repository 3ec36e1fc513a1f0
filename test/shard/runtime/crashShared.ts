// What crash.test.ts and crashChild.ts share: the layout of the child's workload.
export const CRASH_SHARDS = 2;
export const CRASH_WORKERS = 4;
/** Small, so that the child compacts its Raft logs several times before it is killed. */
export const CRASH_COMPACTION_ENTRIES = 25;

const utf8 = new TextEncoder();
export const counterKey = (worker: number): Uint8Array => utf8.encode(`c${worker}`);
export const itemKey = (worker: number, i: number): Uint8Array => utf8.encode(`w${worker}/${i}`);
/** The user-key range of worker `worker`'s items (`w<w>/` up to `w<w>0`, '0' following '/'). */
export const itemRange = (worker: number) => ({ gte: utf8.encode(`w${worker}/`), lt: utf8.encode(`w${worker}0`) });
