import type { Retriever, ScoredPassage } from '../../lib/retrieval/types.ts';
import { toScoredPassages } from '../bm25-retriever.ts';
import { DenseIndex } from './dense-index.ts';
import { loadEncoder, type TextEncoder } from './encoder.ts';

export interface DenseRetrieverOptions {
  /** Index file from `buildDenseIndex`. */
  indexPath: string;
  /** Local model directory (model.onnx, tokenizer.json, encoder.json). */
  modelDir: string;
}

export interface DenseRetriever extends Retriever {
  readonly index: DenseIndex;
  readonly encoder: TextEncoder;
  close(): Promise<void>;
}

/** Encodes the batch of queries once, then one exact inner-product scan answers all of them. */
export async function createDenseRetriever(
  options: DenseRetrieverOptions,
): Promise<DenseRetriever> {
  const index = DenseIndex.open(options.indexPath);
  const encoder = await loadEncoder(options.modelDir);
  return {
    id: `dense:${options.indexPath}`,
    index,
    encoder,
    async retrieve(queries, topK, signal): Promise<ScoredPassage[][]> {
      if (queries.length === 0) return [];
      const vectors = await encoder.encode(queries, 'query');
      signal?.throwIfAborted();
      const ranked = await index.search(vectors, topK);
      return ranked.map((docs) => toScoredPassages(index, docs));
    },
    async close() {
      await encoder.close();
      await index.close();
    },
  };
}
