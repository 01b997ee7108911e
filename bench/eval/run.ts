/**
 * Compare benchmark: seeds a fresh database with 1,000 runs x 7 datasets of EvalResult rows
 * (with per-question scores), then times `compareRuns` for 2 and 10 runs (and 100, for scale).
 * Seeded and deterministic; writes bench/results/eval-compare.json.
 *   npx tsx bench/eval/run.ts [--runs 1000] [--questions 200] [--repeats 5]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createTestDatabase } from '../../infra/db/test-database.ts';
import { compareRuns } from '../../infra/eval/compare-query.ts';
import { createSeededRandom } from '../../lib/random.ts';
import { computeStamp } from '../../lib/eval/stamp.ts';
import { DATASET_NAMES } from '../../lib/qa/types.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1000' },
    questions: { type: 'string', default: '200' },
    repeats: { type: 'string', default: '5' },
  },
});
const RUNS = Number(values.runs);
const QUESTIONS = Number(values.questions);
const REPEATS = Number(values.repeats);
const random = createSeededRandom(1234);
const stamp = computeStamp({
  corpusSha: 'c',
  indexSha: 'i',
  retriever: 'bm25(k1=1.5,b=0.75)',
  topK: 3,
  modelSha: 'm',
  promptTemplateHash: 'p',
  decoding: { temperature: 0 },
});

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const database = await createTestDatabase();
const { db } = database;
try {
  const seedStarted = performance.now();
  const questionIds = DATASET_NAMES.map((dataset) =>
    Array.from({ length: QUESTIONS }, (_, i) => `${dataset}-${i}`),
  );
  const runIds: string[] = [];
  const CHUNK = 100;
  for (let start = 0; start < RUNS; start += CHUNK) {
    const count = Math.min(CHUNK, RUNS - start);
    const experiments = Array.from({ length: count }, (_, i) => ({
      id: `exp${start + i}`,
      name: `bench-${start + i}`,
      recipe: 'rag-r1',
      configHash: `h${start + i}`,
      config: { ppo: { actorLr: 1e-6 * (1 + ((start + i) % 7)) }, seed: start + i },
    }));
    await db.experiment.createMany({ data: experiments });
    const runs = experiments.map((experiment, i) => ({
      id: `run${start + i}`,
      experimentId: experiment.id,
      workflowId: `wf-${start + i}`,
      status: 'COMPLETED' as const,
      stamp,
    }));
    await db.run.createMany({ data: runs });
    const results = runs.flatMap((run) => {
      const skill = 0.2 + 0.4 * random();
      return DATASET_NAMES.map((dataset, d) => {
        const em = questionIds[d]!.map(() => (random() < skill ? 1 : 0));
        const f1 = em.map((value) => (value === 1 ? 1 : Math.round(random() * 50) / 100));
        const mean = (list: number[]) => list.reduce((s, v) => s + v, 0) / list.length;
        return {
          runId: run.id,
          checkpoint: `ckpt-${run.id}`,
          dataset,
          method: 'ppo',
          normalize: 'rag-r1',
          n: QUESTIONS,
          em: mean(em),
          f1: mean(f1),
          meanSeconds: 1 + random(),
          meanRetrievals: 1 + 2 * random(),
          stamp,
          stampHash: stamp.hash,
          outputsArtifact: '',
          questionIds: questionIds[d]!,
          questionEm: em,
          questionF1: f1,
        };
      });
    });
    await db.evalResult.createMany({ data: results });
    runIds.push(...runs.map((run) => run.id));
  }
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  await db.$executeRawUnsafe('ANALYZE');
  const measurements: Record<string, unknown> = {};
  for (const size of [2, 10, 100]) {
    const chosen = Array.from(
      { length: size },
      (_, i) => runIds[Math.floor((i * RUNS) / size) + 7] ?? runIds[i]!,
    );
    await compareRuns(db, chosen);
    const totals: number[] = [];
    const queries: number[] = [];
    const stats: number[] = [];
    for (let repeat = 0; repeat < REPEATS; repeat += 1) {
      const started = performance.now();
      const comparison = await compareRuns(db, chosen);
      totals.push(performance.now() - started);
      queries.push(comparison.timing.queryMs);
      stats.push(comparison.timing.statsMs);
    }
    measurements[`compare${size}`] = {
      runs: size,
      medianMs: median(totals),
      maxMs: Math.max(...totals),
      medianQueryMs: median(queries),
      medianStatsMs: median(stats),
    };
    console.log(
      `compare ${size} runs: median ${median(totals).toFixed(1)} ms (query ${median(queries).toFixed(1)} ms, stats ${median(stats).toFixed(1)} ms)`,
    );
  }
  const result = {
    benchmark: 'eval-compare',
    at: new Date().toISOString(),
    runs: RUNS,
    datasets: DATASET_NAMES.length,
    questionsPerDataset: QUESTIONS,
    evalResultRows: RUNS * DATASET_NAMES.length,
    resamples: 2000,
    repeats: REPEATS,
    seedSeconds,
    measurements,
  };
  const outDir = fileURLToPath(new URL('../results/', import.meta.url));
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'eval-compare.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result));
} finally {
  await database.drop();
}
