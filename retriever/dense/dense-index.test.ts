import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../../tests/support/temp-dirs.ts';
import { createSeededRandom } from '../../lib/random.ts';
import { buildDenseIndex, DenseIndex } from './dense-index.ts';
import type { TextEncoder } from './encoder.ts';
import { HALF_TO_FLOAT } from './float16.ts';

const tempDir = useTempDirs();

const DIMENSION = 24;

/**
 * Seeded random vectors in place of a model: these tests are about the search kernel (the
 * model's neighbours are checked in dense.int.test.ts).
 */
function randomEncoder(seed: number): TextEncoder {
  const random = createSeededRandom(seed);
  return {
    dimension: DIMENSION,
    config: {
      name: 'random',
      pooling: 'mean',
      normalize: false,
      queryPrefix: '',
      passagePrefix: '',
      maxLength: 8,
    } as never,
    encode: async (texts) =>
      Float32Array.from({ length: texts.length * DIMENSION }, () => random() - 0.5),
    close: async () => undefined,
  };
}

async function buildIndex(precision: 'float32' | 'float16', docs: number) {
  const out = join(tempDir('dense-'), `${precision}.idx`);
  const encoder = randomEncoder(11);
  const passages = Array.from({ length: docs }, (_, i) => ({ id: `d${i}`, contents: `p${i}` }));
  await buildDenseIndex({ passages, encoder, out, precision });
  return DenseIndex.open(out);
}

/** The reference: every document's score for one query, summed in dimension order, top k. */
function bruteForce(index: DenseIndex, query: Float32Array, precision: string, k: number) {
  const embeddings = index.file.section('embeddings') as Float32Array | Uint16Array;
  const scores = Array.from({ length: index.numDocs }, (_, doc) => {
    let score = 0;
    for (let d = 0; d < DIMENSION; d += 1) {
      const raw = embeddings[doc * DIMENSION + d]!;
      score += query[d]! * (precision === 'float16' ? HALF_TO_FLOAT[raw]! : Math.fround(raw));
    }
    return { doc, score: Math.fround(score) };
  });
  return scores.sort((x, y) => y.score - x.score || x.doc - y.doc).slice(0, k);
}

describe('DenseIndex.search', () => {
  it.each(['float32', 'float16'] as const)(
    'scores a batch exactly as each query alone, and as a brute-force scan (%s)',
    async (precision) => {
      const index = await buildIndex(precision, 700);
      const queries = await randomEncoder(5).encode(['a', 'b', 'c', 'd', 'e'], 'query');
      const batched = index.search(queries, 10);
      expect(batched).toHaveLength(5);
      batched.forEach((ranked, q) => {
        const [alone] = index.search(queries.slice(q * DIMENSION, (q + 1) * DIMENSION), 10);
        expect(Array.from(ranked.docs)).toEqual(Array.from(alone!.docs));
        expect(Array.from(ranked.scores)).toEqual(Array.from(alone!.scores));
        const reference = bruteForce(
          index,
          queries.slice(q * DIMENSION, (q + 1) * DIMENSION),
          precision,
          10,
        );
        expect(Array.from(ranked.docs)).toEqual(reference.map((hit) => hit.doc));
      });
    },
  );
});
