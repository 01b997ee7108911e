/** A corpus passage as FlashRAG stores it: `contents` is the title line, a newline, the text. */
export interface Passage {
  id: string;
  contents: string;
}

export interface ScoredPassage {
  document: Passage;
  score: number;
}

/**
 * Anything that answers a batch of queries with top-k passages each, in query order: the
 * in-process BM25 index, the dense index, or the HTTP client of a `/retrieve` service.
 */
export interface Retriever {
  readonly id: string;
  retrieve(queries: string[], topK: number, signal?: AbortSignal): Promise<ScoredPassage[][]>;
  close?(): Promise<void>;
}
