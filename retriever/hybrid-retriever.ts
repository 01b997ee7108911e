import { z } from 'zod';
import type { Retriever, ScoredPassage } from '../lib/retrieval/types.ts';

export const HybridOptionsSchema = z
  .object({
    fusion: z
      .enum(['rrf', 'weighted'])
      .default('rrf')
      .describe('reciprocal-rank fusion, or a weighted sum of min-max normalized scores'),
    denseWeight: z.number().min(0).max(1).default(0.5).describe('weight of the dense list'),
    rrfK: z.number().positive().default(60).describe('RRF constant (Cormack et al. 2009 use 60)'),
    candidates: z.number().int().positive().default(50).describe('hits taken from each side'),
  })
  .strict();
export type HybridOptions = z.input<typeof HybridOptionsSchema>;

function minMax(hits: ScoredPassage[]): Map<string, number> {
  const scores = hits.map((h) => h.score);
  const low = Math.min(...scores);
  const span = Math.max(...scores) - low || 1;
  return new Map(hits.map((h) => [h.document.id, (h.score - low) / span]));
}

function fuse(
  sparse: ScoredPassage[],
  dense: ScoredPassage[],
  options: z.infer<typeof HybridOptionsSchema>,
  topK: number,
): ScoredPassage[] {
  const byId = new Map<string, { document: ScoredPassage['document']; score: number }>();
  const add = (
    hits: ScoredPassage[],
    weight: number,
    contribution: (hit: ScoredPassage, rank: number) => number,
  ): void => {
    hits.forEach((hit, rank) => {
      const entry = byId.get(hit.document.id) ?? { document: hit.document, score: 0 };
      entry.score += weight * contribution(hit, rank);
      byId.set(hit.document.id, entry);
    });
  };
  if (options.fusion === 'rrf') {
    const rrf = (_hit: ScoredPassage, rank: number): number => 1 / (options.rrfK + rank + 1);
    add(sparse, 1 - options.denseWeight, rrf);
    add(dense, options.denseWeight, rrf);
  } else {
    const sparseNorm = minMax(sparse);
    const denseNorm = minMax(dense);
    add(sparse, 1 - options.denseWeight, (hit) => sparseNorm.get(hit.document.id) ?? 0);
    add(dense, options.denseWeight, (hit) => denseNorm.get(hit.document.id) ?? 0);
  }
  return [...byId.values()].sort((a, b) => b.score - a.score).slice(0, topK);
}

/**
 * BM25 + dense: both retrievers answer the same batch (concurrently), and their candidate
 * lists are fused per query by passage id. Works with in-process and HTTP retrievers alike.
 */
export function createHybridRetriever(
  sparse: Retriever,
  dense: Retriever,
  options: HybridOptions = {},
): Retriever {
  const parsed = HybridOptionsSchema.parse(options);
  return {
    id: `hybrid(${sparse.id},${dense.id})`,
    async retrieve(queries, topK, signal) {
      const depth = Math.max(topK, parsed.candidates);
      const [a, b] = await Promise.all([
        sparse.retrieve(queries, depth, signal),
        dense.retrieve(queries, depth, signal),
      ]);
      return queries.map((_, i) => fuse(a[i] ?? [], b[i] ?? [], parsed, topK));
    },
    async close() {
      await Promise.all([sparse.close?.(), dense.close?.()]);
    },
  };
}
