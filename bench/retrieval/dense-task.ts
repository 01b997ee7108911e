/**
 * The dense search kernel's cost for a 1-query and a 3-query call, on seeded random
 * embeddings (the kernel's cost does not depend on what the vectors mean; the model's
 * neighbours are tested in retriever/dense/dense.int.test.ts). The reference retriever is
 * dense (BGE-large, spec section 6), where one scan of the corpus serves the whole call.
 *   tsx bench/retrieval/dense-task.ts [--passages 100000] [--dimension 384]
 * Prints one JSON object.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildDenseIndex, DenseIndex } from '../../retriever/dense/dense-index.ts';
import { oneVsThree, randomEmbeddings } from './bench-support.ts';

const { values } = parseArgs({
  options: {
    passages: { type: 'string', default: '100000' },
    dimension: { type: 'string', default: '384' },
  },
});
const passages = Number(values.passages);
const dimension = Number(values.dimension);

/** Median of 10 alternating timings, after 3 warm-up rounds of each shape. */
async function time(index: DenseIndex, queries: Float32Array) {
  const one = queries.slice(0, dimension);
  for (let round = 0; round < 3; round += 1) {
    await index.search(one, 3);
    await index.search(queries, 3);
  }
  const oneMs: number[] = [];
  const threeMs: number[] = [];
  for (let round = 0; round < 10; round += 1) {
    let started = performance.now();
    await index.search(one, 3);
    oneMs.push(performance.now() - started);
    started = performance.now();
    await index.search(queries, 3);
    threeMs.push(performance.now() - started);
  }
  return oneVsThree(oneMs, threeMs);
}

const dir = mkdtempSync(join(tmpdir(), 'dense-bench-'));
try {
  const result: Record<string, unknown> = { passages, dimension };
  const queries = await randomEmbeddings(dimension, 5).encode(['a', 'b', 'c'], 'query');
  for (const precision of ['float32', 'float16'] as const) {
    const out = join(dir, `${precision}.idx`);
    const corpus = Array.from({ length: passages }, (_, i) => ({ id: `d${i}`, contents: '' }));
    await buildDenseIndex({
      passages: corpus,
      encoder: randomEmbeddings(dimension, 11),
      out,
      precision,
    });
    const index = DenseIndex.open(out);
    result[precision] = await time(index, queries);
    await index.close();
    rmSync(out);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
