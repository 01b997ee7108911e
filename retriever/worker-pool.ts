import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { ServiceUnavailableError } from '../lib/errors.ts';
import type { Bm25SearchArrays, RankedDocs } from './bm25-searcher.ts';
import type { SearchReply, SearchRequest } from './bm25-worker.ts';
import { startTypeScriptWorker } from './ts-worker.ts';

interface Pending {
  resolve: (results: RankedDocs[]) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  load: number;
  pending: Map<number, Pending>;
  started: Promise<void>;
}

/**
 * A fixed set of worker threads sharing one BM25 index through SharedArrayBuffers. A batch is
 * split into one chunk per worker, so the (up to three) queries of one search call run in
 * parallel; the least-loaded worker takes each chunk.
 */
export class Bm25WorkerPool {
  private readonly slots: Slot[];
  private nextId = 1;
  private closed = false;

  constructor(arrays: Bm25SearchArrays, threads = availableParallelism()) {
    const url = new URL('./bm25-worker.ts', import.meta.url);
    this.slots = Array.from({ length: Math.max(1, threads) }, () => {
      const worker = startTypeScriptWorker(url, { workerData: arrays });
      let markStarted: () => void = () => undefined;
      const started = new Promise<void>((resolve, reject) => {
        markStarted = resolve;
        worker.once('error', reject);
      });
      const slot: Slot = { worker, load: 0, pending: new Map(), started };
      worker.on('message', (reply: SearchReply) =>
        reply.id === 0 ? markStarted() : this.settle(slot, reply),
      );
      worker.on('error', (error) => this.failAll(slot, error));
      return slot;
    });
    void this.ready().then(
      () => this.slots.forEach((slot) => slot.worker.unref()),
      () => undefined,
    );
  }

  /** Resolves once every worker has loaded its searcher (the first search waits for it too). */
  async ready(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot.started));
  }

  get size(): number {
    return this.slots.length;
  }

  async search(queries: string[], k: number): Promise<RankedDocs[]> {
    if (this.closed) throw new ServiceUnavailableError('BM25 worker pool is closed');
    if (queries.length === 0) return [];
    await this.ready();
    const chunkSize = Math.ceil(queries.length / this.slots.length);
    const chunks: Promise<RankedDocs[]>[] = [];
    for (let start = 0; start < queries.length; start += chunkSize) {
      chunks.push(this.send(queries.slice(start, start + chunkSize), k));
    }
    return (await Promise.all(chunks)).flat();
  }

  private send(queries: string[], k: number): Promise<RankedDocs[]> {
    const slot = this.slots.reduce((best, s) => (s.load < best.load ? s : best));
    const id = this.nextId++;
    slot.load += queries.length;
    return new Promise<RankedDocs[]>((resolve, reject) => {
      slot.pending.set(id, {
        resolve: (results) => {
          slot.load -= queries.length;
          resolve(results);
        },
        reject: (error) => {
          slot.load -= queries.length;
          reject(error);
        },
      });
      if (slot.pending.size === 1) slot.worker.ref();
      slot.worker.postMessage({ id, queries, k } satisfies SearchRequest);
    });
  }

  private settle(slot: Slot, reply: SearchReply): void {
    const pending = slot.pending.get(reply.id);
    if (!pending) return;
    slot.pending.delete(reply.id);
    if (slot.pending.size === 0) slot.worker.unref();
    if (reply.error !== undefined) pending.reject(new Error(`BM25 worker: ${reply.error}`));
    else pending.resolve(reply.results ?? []);
  }

  private failAll(slot: Slot, error: Error): void {
    for (const pending of slot.pending.values()) pending.reject(error);
    slot.pending.clear();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }
}
