import type { Bm25Params } from './bm25-params.ts';
import { canUseMaxScore, rankMaxScore } from './maxscore.ts';
import { TopK } from './top-k.ts';
import { createTokenizer, type TextTokenizer } from './tokenizer.ts';
import { VocabLookup, type VocabArrays } from './vocab-table.ts';

/** The typed arrays a search needs; plain or SharedArrayBuffer-backed (for worker threads). */
export interface Bm25SearchArrays extends VocabArrays {
  termStart: Uint32Array;
  postingDocs: Uint32Array;
  postingScores: Float32Array;
  nonOccurrence: Float32Array;
  /** Each term's largest posting score: MaxScore's per-term upper bound. */
  termMaxScores: Float32Array;
  numDocs: number;
  tokenizer: Bm25Params['tokenizer'];
}

export const BM25_SEARCH_SECTIONS = [
  'termStart',
  'postingDocs',
  'postingScores',
  'nonOccurrence',
  'termMaxScores',
  'termBytes',
  'termOffsets',
  'termSlots',
] as const;

/**
 * How multi-term queries are ranked: `maxscore` (default) skips documents that provably cannot
 * reach the top k; `exhaustive` scores every matching document. Both return identical results.
 */
export type Bm25Strategy = 'maxscore' | 'exhaustive';

export interface RankedDocs {
  docs: Uint32Array;
  scores: Float32Array;
}

/**
 * BM25 over precomputed posting scores. Multi-term queries use MaxScore (`maxscore.ts`); the
 * exhaustive term-at-a-time path stays as the reference it must match. One instance per thread:
 * it owns a dense score accumulator and resets only the documents a query touched.
 */
export class Bm25Searcher {
  private readonly vocab: VocabLookup;
  private readonly tokenize: TextTokenizer;
  /** Exhaustive-path scratch (12 bytes per document), allocated on first use. */
  private accumulator = new Float32Array(0);
  private stamp = new Uint32Array(0);
  private touched = new Uint32Array(0);
  private epoch = 0;

  constructor(
    private readonly arrays: Bm25SearchArrays,
    private readonly strategy: Bm25Strategy = 'maxscore',
  ) {
    this.vocab = new VocabLookup(arrays);
    this.tokenize = createTokenizer(arrays.tokenizer);
  }

  /** Query terms with their multiplicity (a repeated query word counts again, as in bm25s). */
  analyze(query: string): { terms: number[]; weights: number[] } {
    const counts = new Map<number, number>();
    for (const token of this.tokenize(query)) {
      const id = this.vocab.find(token);
      if (id >= 0) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return { terms: [...counts.keys()], weights: [...counts.values()] };
  }

  search(query: string, k: number): RankedDocs {
    const { terms, weights } = this.analyze(query);
    return this.searchTerms(terms, weights, k);
  }

  searchTerms(terms: number[], weights: number[], k: number): RankedDocs {
    const heap = new TopK(Math.max(1, Math.min(k, this.arrays.numDocs)));
    let offset = 0;
    const nonOccurrence = this.arrays.nonOccurrence;
    for (let index = 0; nonOccurrence.length > 0 && index < terms.length; index += 1) {
      offset += nonOccurrence[terms[index]!]! * weights[index]!;
    }
    if (terms.length === 1) this.rankSingleTerm(terms[0]!, weights[0]!, heap);
    else if (terms.length > 1 && this.strategy === 'maxscore' && canUseMaxScore(this.arrays, terms))
      rankMaxScore(this.arrays, terms, weights, heap);
    else if (terms.length > 1) this.rankManyTerms(terms, weights, heap);
    const ranked = heap.drain();
    if (offset !== 0) for (let i = 0; i < ranked.scores.length; i += 1) ranked.scores[i]! += offset;
    return ranked;
  }

  /** Fast path: a one-term query's scores are its posting scores; no accumulator needed. */
  private rankSingleTerm(term: number, weight: number, heap: TopK): void {
    const { termStart, postingDocs, postingScores } = this.arrays;
    let threshold = -Infinity;
    for (let p = termStart[term]!, end = termStart[term + 1]!; p < end; p += 1) {
      const score = postingScores[p]! * weight;
      if (score < threshold) continue;
      heap.push(score, postingDocs[p]!);
      threshold = heap.threshold;
    }
  }

  private rankManyTerms(terms: number[], weights: number[], heap: TopK): void {
    const { termStart, postingDocs, postingScores, numDocs } = this.arrays;
    if (this.accumulator.length !== numDocs) {
      this.accumulator = new Float32Array(numDocs);
      this.stamp = new Uint32Array(numDocs);
      this.touched = new Uint32Array(numDocs);
    }
    const accumulator = this.accumulator;
    const stamp = this.stamp;
    const touched = this.touched;
    this.epoch = this.epoch === 0xffffffff ? 1 : this.epoch + 1;
    if (this.epoch === 1) stamp.fill(0);
    const epoch = this.epoch;
    let count = 0;
    for (let index = 0; index < terms.length; index += 1) {
      const term = terms[index]!;
      const weight = weights[index]!;
      for (let p = termStart[term]!, end = termStart[term + 1]!; p < end; p += 1) {
        const doc = postingDocs[p]!;
        if (stamp[doc] !== epoch) {
          stamp[doc] = epoch;
          accumulator[doc] = 0;
          touched[count++] = doc;
        }
        accumulator[doc]! += postingScores[p]! * weight;
      }
    }
    let threshold = -Infinity;
    for (let index = 0; index < count; index += 1) {
      const doc = touched[index]!;
      const score = accumulator[doc]!;
      if (score < threshold) continue;
      heap.push(score, doc);
      threshold = heap.threshold;
    }
  }
}
