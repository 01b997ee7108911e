import type { Retriever, ScoredPassage } from '../lib/retrieval/types.ts';
import { loadBm25Index, type LoadedBm25Index } from './bm25-index.ts';
import { Bm25Searcher, type RankedDocs } from './bm25-searcher.ts';
import { Bm25WorkerPool } from './worker-pool.ts';

export interface Bm25RetrieverOptions {
  /** Index file from `buildBm25Index`. */
  indexPath: string;
  /** Worker threads for batches; 0 searches on the calling thread. Default: all cores. */
  threads?: number;
  docsInMemory?: boolean;
}

/** A Retriever that also exposes document numbers, for hybrid fusion and benchmarks. */
export interface Bm25Retriever extends Retriever {
  readonly index: LoadedBm25Index;
  rank(queries: string[], topK: number): Promise<RankedDocs[]>;
  /** Resolves when worker threads (if any) are up; calls made earlier simply wait. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** The in-process BM25 retriever: the index is loaded once and shared by all calls. */
export function createBm25Retriever(options: Bm25RetrieverOptions): Bm25Retriever {
  const threads = options.threads;
  const index = loadBm25Index(options.indexPath, {
    shared: threads !== 0,
    docsInMemory: options.docsInMemory,
  });
  const pool = threads === 0 ? undefined : new Bm25WorkerPool(index.arrays, threads);
  const local = pool ? undefined : new Bm25Searcher(index.arrays);
  const rank = async (queries: string[], topK: number): Promise<RankedDocs[]> =>
    pool ? pool.search(queries, topK) : queries.map((query) => local!.search(query, topK));
  return {
    id: `bm25:${options.indexPath}`,
    index,
    rank,
    ready: async () => pool?.ready(),
    async retrieve(queries, topK, signal): Promise<ScoredPassage[][]> {
      signal?.throwIfAborted();
      const ranked = await rank(queries, topK);
      return ranked.map((r) => toScoredPassages(index, r));
    },
    async close(): Promise<void> {
      await pool?.close();
      await index.file.close();
    },
  };
}

export function toScoredPassages(
  index: Pick<LoadedBm25Index, 'docs'>,
  ranked: RankedDocs,
): ScoredPassage[] {
  const passages = index.docs.passages(ranked.docs);
  return passages.map((document, i) => ({ document, score: ranked.scores[i]! }));
}
