import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { sharedDataPath } from '../../lib/shared-data.ts';
import { makeBenchCorpus } from './make-corpus.ts';
import { compareTop10, readHits } from './overlap.ts';

/**
 * Retrieval benchmark, ours vs bm25s side by side on one seeded corpus and query set:
 *   npx tsx bench/retrieval/run.ts [--passages 1000000] [--queries 1000] [--seed 7] [--ours-only]
 *     [--dense-passages 100000] [--dense-call-passages 100000]
 * Needs the bench venv: python3 -m venv .data/venv/bench && .data/venv/bench/bin/pip install
 * bm25s 'PyStemmer<3'. `--ours-only` leaves bm25s out (build, QPS and search-call latency of
 * ours alone: the device host has no venv). Writes bench/results/retrieval-<passages>.json.
 */
function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

const loadAverageAtStart = loadavg();
const passages = flag('passages', 1_000_000);
const queryCount = flag('queries', 1000);
const seed = flag('seed', 7);
const isOursOnly = process.argv.includes('--ours-only');
const densePassages = flag('dense-passages', 100_000);
const denseCallPassages = flag('dense-call-passages', 100_000);
// The real small encoder, when retriever/dense/setup-test-model.sh has built it.
const denseModel = join('.data', 'models', 'all-minilm-l6-v2');
const work = join('.data', 'bench', `retrieval-${passages}-${seed}`);
const python = '.data/venv/bench/bin/python';
mkdirSync(work, { recursive: true });
mkdirSync('bench/results', { recursive: true });
const corpus = join(work, 'corpus.jsonl');
const queries = join(work, 'queries.jsonl');

if (!existsSync(corpus) || !existsSync(queries)) {
  await makeBenchCorpus({
    sourceCorpus: sharedDataPath('corpus/wiki-sample.jsonl'),
    qaDir: sharedDataPath('qa-samples'),
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

const runJson = <T = SideStats>(command: string, args: string[]): T => {
  const output = execFileSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(output.trim().split('\n').pop()!) as T;
};
/** One of this bench's TypeScript task scripts, in its own process (own peak memory). */
const runTask = <T = SideStats>(script: string, args: string[]): T =>
  runJson<T>(process.execPath, ['--import', 'tsx', join('bench', 'retrieval', script), ...args]);
const ours = runTask('ts-task.ts', ['build', corpus, join(work, 'bm25.idx')]);
const oursQuery = runTask('ts-task.ts', [
  'query',
  join(work, 'bm25.idx'),
  queries,
  join(work, 'ours-hits.jsonl'),
]);
// The dense kernel on random embeddings: a 1-query against a 3-query search (dense-task.ts).
const dense = runTask<Record<string, unknown>>('dense-task.ts', [
  '--passages',
  String(densePassages),
]);

// A dense search call end to end: the real encoder on the queries, then the scan.
const denseCall = existsSync(join(denseModel, 'model.onnx'))
  ? runTask<Record<string, unknown>>('dense-call.ts', [
      queries,
      '--model',
      denseModel,
      '--passages',
      String(denseCallPassages),
    ])
  : `skipped: no encoder at ${denseModel} (retriever/dense/setup-test-model.sh builds it)`;

/** bm25s on the same corpus and queries, and how the two compare. */
function comparedWithPeer() {
  const peer = runJson(python, [
    'bench/retrieval/bm25s_bench.py',
    '--corpus',
    corpus,
    '--queries',
    queries,
    '--out',
    join(work, 'bm25s-hits.jsonl'),
    '--out-tie-broken',
    join(work, 'bm25s-hits-tie-broken.jsonl'),
  ]);
  const ourHits = readHits(join(work, 'ours-hits.jsonl'));
  // bm25s's own retrieve orders score ties arbitrarily (np.argpartition); its tie-broken lists
  // come from its own get_scores with ties to the lower document index, as ours. Both reported.
  const native = compareTop10(ourHits, readHits(join(work, 'bm25s-hits.jsonl')));
  const tieBroken = compareTop10(ourHits, readHits(join(work, 'bm25s-hits-tie-broken.jsonl')));
  return {
    bm25s: peer,
    top10Overlap: {
      tieBroken: tieBroken.overlap,
      raw: native.overlap,
      rawCountingTies: native.overlapCountingTies,
      vsTieBroken: tieBroken,
      vsNativeRetrieve: native,
    },
    ratios: {
      qpsSingleThread: oursQuery.qpsSingleThread / peer.qpsSingleThread,
      qpsAllCores: oursQuery.qpsAllCores / peer.qpsAllCores,
      buildTime: ours.buildSeconds / (peer.readSeconds + peer.buildSeconds + peer.saveSeconds),
      peakMemory: ours.peakRssMiB / peer.peakRssMiB,
    },
  };
}

const result = {
  date: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    model: cpus()[0]?.model,
    loadAverageAtStart,
    loadAverageAtEnd: loadavg(),
  },
  corpus: { passages, queries: queryCount, seed, bytes: statSync(corpus).size },
  ours: {
    ...ours,
    ...oursQuery,
    peakRssMiB: Math.max(ours.peakRssMiB, oursQuery.peakRssMiB),
    buildPeakRssMiB: ours.peakRssMiB,
  },
  dense,
  denseCall,
  ...(isOursOnly ? {} : comparedWithPeer()),
};
const out = join('bench', 'results', `retrieval-${passages}${isOursOnly ? '-ours' : ''}.json`);
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
