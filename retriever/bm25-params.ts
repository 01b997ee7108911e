import { z } from 'zod';
import { TokenizerOptionsSchema } from './tokenizer.ts';

/**
 * BM25 settings. Variants and their formulas follow Kamphuis et al. (ECIR 2020), with the names
 * bm25s uses; defaults are bm25s's (lucene, k1 1.5, b 0.75, delta 0.5).
 */
export const Bm25ParamsSchema = z
  .object({
    method: z
      .enum(['lucene', 'robertson', 'atire', 'bm25l', 'bm25+'])
      .default('lucene')
      .describe('BM25 variant (bm25s names)'),
    k1: z.number().positive().default(1.5).describe('term-frequency saturation'),
    b: z.number().min(0).max(1).default(0.75).describe('document-length normalization'),
    delta: z.number().min(0).default(0.5).describe('lower-bound shift for bm25l and bm25+'),
    tokenizer: TokenizerOptionsSchema.default(TokenizerOptionsSchema.parse({})),
  })
  .strict();
export type Bm25Params = z.infer<typeof Bm25ParamsSchema>;
export type Bm25Method = Bm25Params['method'];

/** Inverse document frequency of a term found in `df` of `n` documents. */
export function inverseDocumentFrequency(method: Bm25Method, df: number, n: number): number {
  switch (method) {
    case 'robertson':
      // Clamped at zero, as bm25s does by default, so very common terms never subtract.
      return Math.log(Math.max(1, (n - df + 0.5) / (df + 0.5)));
    case 'lucene':
      return Math.log(1 + (n - df + 0.5) / (df + 0.5));
    case 'atire':
      return Math.log(n / df);
    case 'bm25l':
      return Math.log((n + 1) / (df + 0.5));
    case 'bm25+':
      return Math.log((n + 1) / df);
  }
}

/** The term-frequency component for `tf` occurrences in a document of `length` tokens. */
export function termFrequencyComponent(
  params: Pick<Bm25Params, 'method' | 'k1' | 'b' | 'delta'>,
  tf: number,
  length: number,
  averageLength: number,
): number {
  const { k1, b, delta } = params;
  const norm = 1 - b + (b * length) / averageLength;
  switch (params.method) {
    case 'robertson':
    case 'lucene':
      return tf / (k1 * norm + tf);
    case 'atire':
      return (tf * (k1 + 1)) / (tf + k1 * norm);
    case 'bm25l': {
      const c = tf / norm;
      return ((k1 + 1) * (c + delta)) / (k1 + c + delta);
    }
    case 'bm25+':
      return ((k1 + 1) * tf) / (k1 * norm + tf) + delta;
  }
}

/** bm25l and bm25+ give absent terms a non-zero score; stored postings hold the difference. */
export function hasNonOccurrenceScore(method: Bm25Method): boolean {
  return method === 'bm25l' || method === 'bm25+';
}
