import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { makeBenchCorpus } from './make-corpus.ts';

/**
 * Retrieval benchmark, ours vs bm25s side by side on one seeded corpus and query set:
 *   npx tsx bench/retrieval/run.ts [--passages 1000000] [--queries 1000] [--seed 7]
 * Needs the bench venv: python3 -m venv .data/venv/bench && .data/venv/bench/bin/pip install
 * bm25s 'PyStemmer<3'. Writes bench/results/retrieval-<passages>.json.
 */
function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

const passages = flag('passages', 1_000_000);
const queryCount = flag('queries', 1000);
const seed = flag('seed', 7);
const work = join('.data', 'bench', `retrieval-${passages}-${seed}`);
const python = '.data/venv/bench/bin/python';
mkdirSync(work, { recursive: true });
mkdirSync('bench/results', { recursive: true });
const corpus = join(work, 'corpus.jsonl');
const queries = join(work, 'queries.jsonl');

if (!existsSync(corpus) || !existsSync(queries)) {
  await makeBenchCorpus({
    sourceCorpus: '/work/shared/data/corpus/wiki-sample.jsonl',
    qaDir: '/work/shared/data/qa-samples',
    passages,
    queries: queryCount,
    seed,
    corpusOut: corpus,
    queriesOut: queries,
  });
}

/** The numbers read back from each side's JSON line; the rest is copied into the report. */
interface SideStats {
  peakRssMiB: number;
  buildSeconds: number;
  readSeconds: number;
  saveSeconds: number;
  qpsSingleThread: number;
  qpsAllCores: number;
}

const runJson = (command: string, args: string[]): SideStats => {
  const output = execFileSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(output.trim().split('\n').pop()!) as SideStats;
};
const tsx = ['node_modules/.bin/tsx'];
const ours = runJson(tsx[0]!, [
  'bench/retrieval/ts-task.ts',
  'build',
  corpus,
  join(work, 'bm25.idx'),
]);
const oursQuery = runJson(tsx[0]!, [
  'bench/retrieval/ts-task.ts',
  'query',
  join(work, 'bm25.idx'),
  queries,
  join(work, 'ours-hits.jsonl'),
]);
const peer = runJson(python, [
  'bench/retrieval/bm25s_bench.py',
  '--corpus',
  corpus,
  '--queries',
  queries,
  '--out',
  join(work, 'bm25s-hits.jsonl'),
]);

function readHits(file: string): Map<string, [string, number][]> {
  return new Map(
    readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => {
        const row = JSON.parse(l) as { id: string; hits: [string, number][] };
        return [row.id, row.hits];
      }),
  );
}
const a = readHits(join(work, 'ours-hits.jsonl'));
const b = readHits(join(work, 'bm25s-hits.jsonl'));
// bm25s breaks score ties arbitrarily (argpartition); we prefer the lower doc number. A peer hit
// missing from our top 10 whose score equals our 10th score is a tie, not a ranking difference.
let shared = 0;
let tied = 0;
let total = 0;
let exactQueries = 0;
for (const [id, peerHits] of b) {
  const expected = peerHits.filter(([, score]) => score > 0);
  const ours = a.get(id) ?? [];
  const got = new Set(ours.map(([doc]) => doc));
  const kth = ours.at(-1)?.[1] ?? 0;
  const overlap = expected.filter(([doc]) => got.has(doc)).length;
  tied += expected.filter(
    ([doc, score]) => !got.has(doc) && Math.abs(score - kth) <= 1e-4 * Math.max(1, Math.abs(kth)),
  ).length;
  shared += overlap;
  total += expected.length;
  if (overlap === expected.length) exactQueries += 1;
}
const result = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model },
  corpus: { passages, queries: queryCount, seed, bytes: statSync(corpus).size },
  ours: {
    ...ours,
    ...oursQuery,
    peakRssMiB: Math.max(ours.peakRssMiB, oursQuery.peakRssMiB),
    buildPeakRssMiB: ours.peakRssMiB,
  },
  bm25s: peer,
  top10Overlap: shared / total,
  top10OverlapCountingTies: (shared + tied) / total,
  queriesWithIdenticalTop10Sets: exactQueries / b.size,
  ratios: {
    qpsSingleThread: oursQuery.qpsSingleThread / peer.qpsSingleThread,
    qpsAllCores: oursQuery.qpsAllCores / peer.qpsAllCores,
    buildTime: ours.buildSeconds / (peer.readSeconds + peer.buildSeconds + peer.saveSeconds),
    peakMemory: ours.peakRssMiB / peer.peakRssMiB,
  },
};
const out = join('bench', 'results', `retrieval-${passages}.json`);
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
