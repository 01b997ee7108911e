/** Helpers shared by the retrieval bench's task scripts. */
import { createSeededRandom } from '../../lib/random.ts';
import type { TextEncoder } from '../../retriever/dense/encoder.ts';

export function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[values.length >> 1]!;
}

/** Medians of 1-query and 3-query timings, and their ratio (the mq criterion's figure). */
export function oneVsThree(oneMs: number[], threeMs: number[]) {
  return {
    oneQueryMs: median(oneMs),
    threeQueryMs: median(threeMs),
    ratio: median(threeMs) / median(oneMs),
  };
}

/**
 * Seeded random embeddings in place of a model, where only a search's cost is measured: the
 * scan costs the same whatever the vectors mean.
 */
export function randomEmbeddings(
  dimension: number,
  seed: number,
  config = {} as TextEncoder['config'],
): TextEncoder {
  const random = createSeededRandom(seed);
  return {
    dimension,
    config,
    encode: async (texts) =>
      Float32Array.from({ length: texts.length * dimension }, () => random() - 0.5),
    close: async () => undefined,
  };
}
