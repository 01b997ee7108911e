/** Helpers shared by the retrieval bench's task scripts. */
import { createSeededRandom } from '../../lib/random.ts';
import { multiQuerySearch } from '../../lib/retrieval/multi-query.ts';
import type { Retriever } from '../../lib/retrieval/types.ts';
import type { TextEncoder } from '../../retriever/dense/encoder.ts';

/** A multi-query search call on `target`, top 3, as a rollout's search makes it. */
export const mqCall = (target: Retriever) => (queries: string[]) =>
  multiQuerySearch(target, queries, 3);

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
 * Median latency of one search call with 1 query against one with 3 (the mq claim), over
 * batches of 3 consecutive questions, the 1 query being the first of the 3. The first
 * `warmupRounds` batches run but are not timed.
 */
export async function callLatency(
  search: (queries: string[]) => Promise<unknown> | unknown,
  questions: string[],
  rounds: number,
  warmupRounds = 0,
) {
  const one: number[] = [];
  const three: number[] = [];
  for (let round = 0; round < warmupRounds + rounds; round += 1) {
    const base = (round * 3) % (questions.length - 3);
    const batch = questions.slice(base, base + 3);
    let started = performance.now();
    await search(batch.slice(0, 1));
    const oneMs = performance.now() - started;
    started = performance.now();
    await search(batch);
    const threeMs = performance.now() - started;
    if (round < warmupRounds) continue;
    one.push(oneMs);
    three.push(threeMs);
  }
  return oneVsThree(one, three);
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
