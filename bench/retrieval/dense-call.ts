/**
 * A dense search call end to end with the real small encoder (all-MiniLM-L6-v2, built by
 * retriever/dense/setup-test-model.sh): the call's queries encoded in one batch, then one scan
 * of the index, through the multi-query tool in process and over HTTP (`/retrieve`). 1 query
 * against 3, the first being the 1, as ts-task.ts measures BM25. The index holds seeded random
 * embeddings of the model's dimension: the scan costs the same whatever they mean, and
 * encoding real passages runs at ~28 a second on the 2-core VM (100k would take an hour).
 *   tsx bench/retrieval/dense-call.ts QUERIES --model DIR [--passages 100000]
 *     [--precision float16] [--rounds 50]
 * Then service throughput under concurrent calls, with and without merging them (see
 * `serviceThroughput`). Prints one JSON object.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildDenseIndex } from '../../retriever/dense/dense-index.ts';
import { createDenseRetriever } from '../../retriever/dense/dense-retriever.ts';
import { loadEncoder } from '../../retriever/dense/encoder.ts';
import { createHttpRetriever } from '../../retriever/http-retriever.ts';
import { createRetrievalService } from '../../retriever/service.ts';
import { callLatency, mqCall, oneVsThree, randomEmbeddings } from './bench-support.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    passages: { type: 'string', default: '100000' },
    model: { type: 'string' },
    precision: { type: 'string', default: 'float16' },
    rounds: { type: 'string', default: '50' },
  },
});
const [queriesFile] = positionals;
if (!queriesFile || !values.model) {
  throw new Error('usage: dense-call.ts QUERIES --model DIR [--passages N]');
}
const passages = Number(values.passages);
const precision = values.precision as 'float32' | 'float16';
const rounds = Number(values.rounds);

const WARMUP_ROUNDS = 3;

const CLIENTS = 32;
const CALLS_PER_CLIENT = 8;

/**
 * Rollouts call search concurrently: CLIENTS callers each make CALLS_PER_CLIENT calls over
 * HTTP, back to back, alternating 3 queries and 1 (half the clients start with each). Calls
 * per second, and the median latency of 1-query and 3-query calls under that load, with
 * concurrent calls merged into batches of up to `maxBatchQueries` queries (1: each alone).
 */
async function serviceThroughput(indexPath: string, maxBatchQueries: number, questions: string[]) {
  const retriever = await createDenseRetriever({
    indexPath,
    modelDir: values.model!,
    maxBatchQueries,
  });
  const app = createRetrievalService({ retriever });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const search = mqCall(createHttpRetriever(url));
  await search(questions.slice(0, 3));
  const oneMs: number[] = [];
  const threeMs: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      for (let round = 0; round < CALLS_PER_CLIENT; round += 1) {
        const base = ((client * CALLS_PER_CLIENT + round) * 3) % (questions.length - 3);
        const isThree = (client + round) % 2 === 0;
        const callStarted = performance.now();
        await search(questions.slice(base, base + (isThree ? 3 : 1)));
        (isThree ? threeMs : oneMs).push(performance.now() - callStarted);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await app.close();
  await retriever.close();
  return {
    maxBatchQueries,
    callsPerSecond: (CLIENTS * CALLS_PER_CLIENT) / seconds,
    ...oneVsThree(oneMs, threeMs),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'dense-call-'));
try {
  const indexPath = join(dir, 'dense.idx');
  const encoder = await loadEncoder(values.model);
  await encoder.encode(['the encoder reports its dimension after a first run'], 'query');
  const built = await buildDenseIndex({
    passages: Array.from({ length: passages }, (_, i) => ({ id: `d${i}`, contents: `p${i}` })),
    encoder: randomEmbeddings(encoder.dimension, 11, encoder.config),
    out: indexPath,
    precision,
  });
  await encoder.close();
  const questions = readFileSync(queriesFile, 'utf8')
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { question: string }).question);
  const retriever = await createDenseRetriever({ indexPath, modelDir: values.model });
  const inProcess = await callLatency(mqCall(retriever), questions, rounds, WARMUP_ROUNDS);
  const app = createRetrievalService({ retriever });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const overHttp = await callLatency(
    mqCall(createHttpRetriever(url)),
    questions,
    rounds,
    WARMUP_ROUNDS,
  );
  await app.close();
  await retriever.close();
  const concurrentCalls = { eachCallAlone: [] as object[], merged: [] as object[] };
  for (let repeat = 0; repeat < 2; repeat += 1) {
    concurrentCalls.eachCallAlone.push(await serviceThroughput(indexPath, 1, questions));
    concurrentCalls.merged.push(await serviceThroughput(indexPath, 64, questions));
  }
  const result = { ...built, precision, searchCall: { inProcess, overHttp }, concurrentCalls };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
