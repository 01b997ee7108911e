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

/** The reference: every document's score for one query, summed in float64, top k. */
function bruteForce(index: DenseIndex, query: Float32Array, precision: string, k: number) {
  const embeddings = index.file.section('embeddings') as Float32Array | Uint16Array;
  const scores = Array.from({ length: index.numDocs }, (_, doc) => {
    let score = 0;
    for (let d = 0; d < DIMENSION; d += 1) {
      const raw = embeddings[doc * DIMENSION + d]!;
      score += query[d]! * (precision === 'float16' ? HALF_TO_FLOAT[raw]! : raw);
    }
    return { doc, score };
  });
  return scores.sort((x, y) => y.score - x.score || x.doc - y.doc).slice(0, k);
}

const queryAt = (queries: Float32Array, q: number) =>
  queries.slice(q * DIMENSION, (q + 1) * DIMENSION);

describe('DenseIndex.search', () => {
  // 40k rows: three onnxruntime runs of up to 16,384 rows, merged.
  it.each([
    ['float32', 700],
    ['float16', 700],
    ['float32', 40_000],
  ] as const)(
    'ranks a batch as each query alone and as a brute-force scan (%s, %i rows)',
    async (precision, docs) => {
      const index = await buildIndex(precision, docs);
      try {
        const queries = await randomEncoder(5).encode(['a', 'b', 'c', 'd', 'e'], 'query');
        const batched = await index.search(queries, 10);
        expect(batched).toHaveLength(5);
        for (const [q, ranked] of batched.entries()) {
          const [alone] = await index.search(queryAt(queries, q), 10);
          expect(Array.from(ranked.docs)).toEqual(Array.from(alone!.docs));
          const reference = bruteForce(index, queryAt(queries, q), precision, 10);
          expect(Array.from(ranked.docs)).toEqual(reference.map((hit) => hit.doc));
          ranked.scores.forEach((score, i) => {
            expect(score).toBeCloseTo(reference[i]!.score, 5);
            expect(score).toBeCloseTo(alone!.scores[i]!, 6);
          });
        }
      } finally {
        await index.close();
      }
    },
  );

  it('ranks equal scores lower document first, within a run and across runs', async () => {
    const out = join(tempDir('dense-'), 'ties.idx');
    const random = createSeededRandom(3);
    const target = Float32Array.from({ length: DIMENSION }, () => random());
    // Documents 5, 20000 and 20001 share the target vector; 20000 is in the second run.
    const twins = new Set([5, 20_000, 20_001]);
    const encoder: TextEncoder = {
      ...randomEncoder(0),
      encode: async (texts) => {
        const out = new Float32Array(texts.length * DIMENSION);
        texts.forEach((text, row) => {
          if (twins.has(Number(text.slice(1)))) out.set(target, row * DIMENSION);
          else for (let d = 0; d < DIMENSION; d += 1) out[row * DIMENSION + d] = random() * 0.1;
        });
        return out;
      },
    };
    const passages = Array.from({ length: 20_010 }, (_, i) => ({ id: `d${i}`, contents: `p${i}` }));
    await buildDenseIndex({ passages, encoder, out, precision: 'float32' });
    const index = DenseIndex.open(out);
    try {
      const [ranked] = await index.search(target, 2);
      expect(Array.from(ranked!.docs)).toEqual([5, 20_000]);
      const [three] = await index.search(target, 3);
      expect(Array.from(three!.docs)).toEqual([5, 20_000, 20_001]);
    } finally {
      await index.close();
    }
  });

  it('names the dimension when query vectors do not fit the index', async () => {
    const index = await buildIndex('float32', 50);
    try {
      await expect(index.search(new Float32Array(DIMENSION + 5), 3)).rejects.toThrow(
        /29 values are not rows of this index's dimension 24/,
      );
    } finally {
      await index.close();
    }
  });
});
