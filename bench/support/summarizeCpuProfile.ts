/**
 * Summarizes a V8 `.cpuprofile` (from `node --cpu-prof`): the functions with the most self time and the most
 * inclusive time, optionally only those whose file matches a filter (e.g. `src/raft`).
 *
 * usage: tsx bench/support/summarizeCpuProfile.ts <file.cpuprofile> [--top 25] [--filter src/raft]
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface FunctionTime {
  readonly name: string;
  readonly selfMs: number;
  readonly inclusiveMs: number;
}

function functionKey(node: ProfileNode): string {
  const url = node.callFrame.url.replace(/^file:\/\//, '').replace(process.cwd() + '/', '');
  const name = node.callFrame.functionName || '(anonymous)';
  return url === '' ? name : `${name} ${url}:${node.callFrame.lineNumber + 1}`;
}

/** Self and inclusive milliseconds per function (recursion counted once per sample). */
export function summarizeCpuProfile(profile: CpuProfile): FunctionTime[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const selfMs = new Map<string, number>();
  const inclusiveMs = new Map<string, number>();
  profile.samples.forEach((sampleId, position) => {
    const deltaMs = (profile.timeDeltas[position] ?? 0) / 1000;
    const leaf = byId.get(sampleId);
    if (leaf === undefined) return;
    const leafKey = functionKey(leaf);
    selfMs.set(leafKey, (selfMs.get(leafKey) ?? 0) + deltaMs);
    const seen = new Set<string>();
    for (let id: number | undefined = sampleId; id !== undefined; id = parentOf.get(id)) {
      const node = byId.get(id);
      if (node === undefined) break;
      const key = functionKey(node);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusiveMs.set(key, (inclusiveMs.get(key) ?? 0) + deltaMs);
    }
  });
  return [...inclusiveMs].map(([name, inclusive]) => ({ name, selfMs: selfMs.get(name) ?? 0, inclusiveMs: inclusive }));
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '25' }, filter: { type: 'string', default: '' } },
  });
  const path = positionals[0];
  if (path === undefined) throw new Error('usage: summarizeCpuProfile.ts <file.cpuprofile> [--top N] [--filter TEXT]');
  const profile = JSON.parse(await readFile(path, 'utf8')) as CpuProfile;
  const top = Number(values.top);
  const times = summarizeCpuProfile(profile).filter((time) => time.name.includes(values.filter));
  const totalMs = profile.timeDeltas.reduce((total, delta) => total + delta, 0) / 1000;
  const line = (time: FunctionTime): string =>
    `${time.selfMs.toFixed(0).padStart(7)} ${((time.selfMs / totalMs) * 100).toFixed(1).padStart(5)}%  ` +
    `${time.inclusiveMs.toFixed(0).padStart(7)} ${((time.inclusiveMs / totalMs) * 100).toFixed(1).padStart(5)}%  ${time.name}`;
  const header = '  self ms  self%  incl ms  incl%  function';
  process.stdout.write(`profile: ${totalMs.toFixed(0)} ms sampled\n\nby self time:\n${header}\n`);
  for (const time of [...times].sort((a, b) => b.selfMs - a.selfMs).slice(0, top))
    process.stdout.write(`${line(time)}\n`);
  process.stdout.write(`\nby inclusive time:\n${header}\n`);
  for (const time of [...times].sort((a, b) => b.inclusiveMs - a.inclusiveMs).slice(0, top)) {
    process.stdout.write(`${line(time)}\n`);
  }
}

// Run only as a script, not when imported.
if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
