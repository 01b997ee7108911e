import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { ServiceUnavailableError } from '../lib/errors.ts';
import type { Bm25SearchArrays, RankedDocs } from './bm25-searcher.ts';
import type { SearchReply, SearchRequest } from './bm25-worker.ts';
import { startTypeScriptWorker } from './ts-worker.ts';

/** One search call's batch: queries not yet handed out start at `next`. */
interface Job {
  queries: string[];
  k: number;
  next: number;
  outstanding: number;
  results: RankedDocs[];
  resolve: (results: RankedDocs[]) => void;
  reject: (error: Error) => void;
  settled: boolean;
}

/** What a worker is searching now: `count` queries of `job` from `start`. */
interface Chunk {
  id: number;
  job: Job;
  start: number;
  count: number;
}

interface Slot {
  worker: Worker;
  chunk: Chunk | undefined;
  alive: boolean;
  started: Promise<void>;
}

/**
 * A fixed set of worker threads sharing one BM25 index through SharedArrayBuffers. Batches
 * queue in arrival order; an idle worker pulls the next chunk, sized as a share of what is left
 * (guided scheduling), so a large batch travels in few messages while the last queries of any
 * batch, and the up to three queries of one search call, go one per worker as soon as one is
 * free: a slow query never holds a fast one hostage behind it on the same worker.
 */
export class Bm25WorkerPool {
  private readonly slots: Slot[];
  private readonly jobs: Job[] = [];
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
      const slot: Slot = { worker, chunk: undefined, alive: true, started };
      worker.on('message', (reply: SearchReply) =>
        reply.id === 0 ? markStarted() : this.settle(slot, reply),
      );
      worker.on('error', (error) => this.fail(slot, error));
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
    return new Promise<RankedDocs[]>((resolve, reject) => {
      this.jobs.push({
        queries,
        k,
        next: 0,
        outstanding: queries.length,
        results: new Array<RankedDocs>(queries.length),
        resolve,
        reject,
        settled: false,
      });
      this.dispatch();
    });
  }

  /** Hands chunks to idle workers while there is queued work. */
  private dispatch(): void {
    for (const slot of this.slots) {
      if (!slot.alive || slot.chunk) continue;
      const job = this.jobs[0];
      if (!job) return;
      const left = job.queries.length - job.next;
      const count = Math.max(1, Math.ceil(left / (2 * this.slots.length)));
      const chunk: Chunk = { id: this.nextId++, job, start: job.next, count };
      job.next += count;
      if (job.next >= job.queries.length) this.jobs.shift();
      slot.chunk = chunk;
      slot.worker.ref();
      const queries = job.queries.slice(chunk.start, chunk.start + count);
      slot.worker.postMessage({ id: chunk.id, queries, k: job.k } satisfies SearchRequest);
    }
  }

  private settle(slot: Slot, reply: SearchReply): void {
    const chunk = slot.chunk;
    if (!chunk || chunk.id !== reply.id) return;
    slot.chunk = undefined;
    slot.worker.unref();
    const { job } = chunk;
    if (reply.error !== undefined) {
      this.rejectJob(job, new Error(`BM25 worker: ${reply.error}`));
    } else {
      (reply.results ?? []).forEach((result, i) => (job.results[chunk.start + i] = result));
      job.outstanding -= chunk.count;
      if (job.outstanding === 0 && !job.settled) {
        job.settled = true;
        job.resolve(job.results);
      }
    }
    this.dispatch();
  }

  private rejectJob(job: Job, error: Error): void {
    const queued = this.jobs.indexOf(job);
    if (queued >= 0) this.jobs.splice(queued, 1);
    if (job.settled) return;
    job.settled = true;
    job.reject(error);
  }

  /** A crashed worker fails its batch; when none is left, so does everything queued. */
  private fail(slot: Slot, error: Error): void {
    slot.alive = false;
    if (slot.chunk) this.rejectJob(slot.chunk.job, error);
    slot.chunk = undefined;
    if (this.slots.every((s) => !s.alive)) {
      for (const job of [...this.jobs]) this.rejectJob(job, error);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of [...this.jobs]) {
      this.rejectJob(job, new ServiceUnavailableError('BM25 worker pool is closed'));
    }
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }
}
