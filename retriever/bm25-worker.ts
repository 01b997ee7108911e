import { parentPort, workerData } from 'node:worker_threads';
import { Bm25Searcher, type Bm25SearchArrays } from './bm25-searcher.ts';

/** Worker-thread entry: searches with index arrays shared (SharedArrayBuffer) by the parent. */
export interface SearchRequest {
  id: number;
  queries: string[];
  k: number;
}

export interface SearchReply {
  id: number;
  results?: { docs: Uint32Array; scores: Float32Array }[];
  error?: string;
}

const searcher = new Bm25Searcher(workerData as Bm25SearchArrays);
parentPort?.postMessage({ id: 0 } satisfies SearchReply);

parentPort?.on('message', (request: SearchRequest) => {
  try {
    const results = request.queries.map((query) => searcher.search(query, request.k));
    const transfer = results.flatMap((r) => [r.docs.buffer, r.scores.buffer]) as ArrayBuffer[];
    parentPort?.postMessage({ id: request.id, results } satisfies SearchReply, transfer);
  } catch (error) {
    parentPort?.postMessage({ id: request.id, error: String(error) } satisfies SearchReply);
  }
});
