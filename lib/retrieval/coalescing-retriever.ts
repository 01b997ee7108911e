/**
 * Merges concurrent calls to a retriever whose cost grows slowly with the batch, such as the
 * dense scan (one pass over the embeddings serves every query of a batch). While one batch
 * runs, the calls that arrive wait and then go together as the next one. There is no timer:
 * a call to an idle retriever starts at once, and batches grow only when calls queue anyway.
 */
import { abortReason } from '../llm/abortable-sleep.ts';
import type { Retriever, ScoredPassage } from './types.ts';

export interface CoalescingOptions {
  /** Most queries in one batch; a single larger call still goes alone. */
  maxQueries: number;
}

interface WaitingCall {
  queries: string[];
  topK: number;
  signal: AbortSignal | undefined;
  resolve: (hits: ScoredPassage[][]) => void;
  reject: (error: unknown) => void;
}

/**
 * `inner` answers each batch with the largest top k asked in it; every call gets its own
 * queries' lists cut to its own k (the top k of a longer ranking). An error of a batch fails
 * every call in it. An aborted call is refused at once, and not sent if it was still waiting.
 */
export function coalescingRetriever(inner: Retriever, options: CoalescingOptions): Retriever {
  const waiting: WaitingCall[] = [];
  let isRunning = false;

  const nextBatch = (): WaitingCall[] => {
    const batch: WaitingCall[] = [];
    let queries = 0;
    while (waiting.length > 0) {
      const call = waiting[0]!;
      if (batch.length > 0 && queries + call.queries.length > options.maxQueries) break;
      waiting.shift();
      if (call.signal?.aborted) {
        call.reject(abortReason(call.signal));
        continue;
      }
      batch.push(call);
      queries += call.queries.length;
    }
    return batch;
  };

  const runBatch = async (batch: WaitingCall[]): Promise<void> => {
    try {
      const topK = Math.max(...batch.map((call) => call.topK));
      const hits = await inner.retrieve(
        batch.flatMap((call) => call.queries),
        topK,
      );
      let offset = 0;
      for (const call of batch) {
        const own = hits.slice(offset, offset + call.queries.length);
        offset += call.queries.length;
        call.resolve(own.map((list) => list.slice(0, call.topK)));
      }
    } catch (error) {
      for (const call of batch) call.reject(error);
    }
  };

  const drain = async (): Promise<void> => {
    if (isRunning) return;
    isRunning = true;
    try {
      // One microtask: calls made in the same turn (a wave of rollouts) start as one batch.
      await Promise.resolve();
      for (let batch = nextBatch(); batch.length > 0; batch = nextBatch()) await runBatch(batch);
    } finally {
      isRunning = false;
    }
  };

  return {
    id: inner.id,
    retrieve(queries, topK, signal) {
      if (queries.length === 0) return Promise.resolve([]);
      if (signal?.aborted) return Promise.reject(abortReason(signal));
      return new Promise((resolve, reject) => {
        const onAbort = (): void => reject(abortReason(signal!));
        signal?.addEventListener('abort', onAbort, { once: true });
        const settled =
          <A>(settle: (value: A) => void) =>
          (value: A): void => {
            signal?.removeEventListener('abort', onAbort);
            settle(value);
          };
        waiting.push({ queries, topK, signal, resolve: settled(resolve), reject: settled(reject) });
        void drain();
      });
    },
    ...(inner.close ? { close: () => inner.close!() } : {}),
  };
}
