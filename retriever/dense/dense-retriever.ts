import { coalescingRetriever } from '../../lib/retrieval/coalescing-retriever.ts';
import type { Retriever, ScoredPassage } from '../../lib/retrieval/types.ts';
import { toScoredPassages } from '../bm25-retriever.ts';
import { DenseIndex } from './dense-index.ts';
import { loadEncoder, type TextEncoder } from './encoder.ts';

export interface DenseRetrieverOptions {
  /** Index file from `buildDenseIndex`. */
  indexPath: string;
  /** Local model directory (model.onnx, tokenizer.json, encoder.json). */
  modelDir: string;
  /**
   * Most queries that concurrent calls merge into (coalescing-retriever.ts); 1 sends every
   * call alone. Default 64: about 20 mq calls, whose encoding takes ~0.3 s on 2 cores.
   */
  maxBatchQueries?: number;
}

export interface DenseRetriever extends Retriever {
  readonly index: DenseIndex;
  readonly encoder: TextEncoder;
  close(): Promise<void>;
}

/**
 * Encodes the batch of queries once, then one exact inner-product scan answers all of them;
 * concurrent calls are merged into such batches.
 */
export async function createDenseRetriever(
  options: DenseRetrieverOptions,
): Promise<DenseRetriever> {
  const index = DenseIndex.open(options.indexPath);
  const encoder = await loadEncoder(options.modelDir);
  const direct: Retriever = {
    id: `dense:${options.indexPath}`,
    // Only the coalescer calls this, and it never sends an empty batch.
    async retrieve(queries, topK): Promise<ScoredPassage[][]> {
      const vectors = await encoder.encode(queries, 'query');
      const ranked = await index.search(vectors, topK);
      return ranked.map((docs) => toScoredPassages(index, docs));
    },
  };
  // One scan serves a whole batch, so calls from concurrent rollouts are merged.
  const merged = coalescingRetriever(direct, { maxQueries: options.maxBatchQueries ?? 64 });
  return {
    id: merged.id,
    index,
    encoder,
    retrieve: merged.retrieve,
    async close() {
      await encoder.close();
      await index.close();
    },
  };
}
