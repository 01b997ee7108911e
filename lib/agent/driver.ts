/**
 * Runs many rollouts at bounded concurrency, saving finished trajectories in batches through
 * an injected checkpoint so a stage killed mid-way resumes without redoing finished questions.
 */
import { abortReason } from '../llm/abortable-sleep.ts';

/** Where partial results live: a local jsonl file, an S3 object prefix, a database table. */
export interface RolloutCheckpoint<T> {
  /** Everything saved so far, by item id. */
  load(): Promise<Map<string, T>>;
  save(batch: T[]): Promise<void>;
}

export interface RolloutProgress {
  total: number;
  /** Finished in an earlier run and skipped. */
  resumed: number;
  /** Finished in this run. */
  done: number;
  inFlight: number;
  /** Finished results that are saved through the checkpoint. */
  saved: number;
  elapsedMs: number;
  /** Finished per second in this run. */
  rate: number;
  etaMs: number | null;
}

export interface RunRolloutsOptions<Item extends { id: string }, T> {
  items: Item[];
  concurrency: number;
  rollout: (item: Item, signal: AbortSignal) => Promise<T>;
  checkpoint: RolloutCheckpoint<T>;
  /** A saved result that this returns false for is run again (e.g. error trajectories). */
  isFinished?: (result: T) => boolean;
  onProgress?: (progress: RolloutProgress) => void;
  /** Flush to the checkpoint once this many results are waiting (default 64)… */
  saveBatchSize?: number;
  /** …or this long after the first unsaved one finished (default 2000 ms). */
  saveIntervalMs?: number;
  /** Minimum time between progress reports (default 500 ms); the final report always comes. */
  progressIntervalMs?: number;
  signal?: AbortSignal;
}

export interface RunRolloutsResult<T> {
  /** Every item's result, in item order. */
  results: T[];
  resumed: number;
  ran: number;
  elapsedMs: number;
}

/**
 * Runs every item not already finished in the checkpoint. On failure or cancellation the
 * in-flight rollouts are aborted, everything finished is saved, and the error is rethrown.
 */
export async function runRollouts<Item extends { id: string }, T>(
  options: RunRolloutsOptions<Item, T>,
): Promise<RunRolloutsResult<T>> {
  const saved = await options.checkpoint.load();
  const isFinished = options.isFinished ?? (() => true);
  const finished = new Map<string, T>();
  for (const item of options.items) {
    const result = saved.get(item.id);
    if (result !== undefined && isFinished(result)) finished.set(item.id, result);
  }
  const pending = options.items.filter((item) => !finished.has(item.id));
  const run = new DriverRun(options, finished.size);
  await run.execute(pending, finished);
  return {
    results: options.items.map((item) => finished.get(item.id) as T),
    resumed: run.resumed,
    ran: pending.length,
    elapsedMs: run.elapsedMs(),
  };
}

class DriverRun<Item extends { id: string }, T> {
  /**
   * One controller per in-flight rollout instead of one shared signal: EventTarget checks for
   * duplicate listeners linearly, so thousands of listeners on one signal cost O(n^2).
   */
  private readonly inFlightControllers = new Set<AbortController>();
  private readonly started = performance.now();
  private unsaved: T[] = [];
  private saving: Promise<void> = Promise.resolve();
  private saveTimer: NodeJS.Timeout | undefined;
  private lastProgress = Number.NEGATIVE_INFINITY;
  private done = 0;
  private inFlight = 0;
  private savedCount = 0;
  private failure: unknown;

  constructor(
    private readonly options: RunRolloutsOptions<Item, T>,
    readonly resumed: number,
  ) {}

  elapsedMs(): number {
    return performance.now() - this.started;
  }

  async execute(pending: Item[], finished: Map<string, T>): Promise<void> {
    const outer = this.options.signal;
    const onAbort = (): void => this.fail(abortReason(outer as AbortSignal));
    if (outer?.aborted) onAbort();
    outer?.addEventListener('abort', onAbort, { once: true });
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < pending.length && this.failure === undefined) {
        const item = pending[next] as Item;
        next += 1;
        await this.runOne(item, finished);
      }
    };
    const workers = Math.max(1, Math.min(this.options.concurrency, pending.length));
    try {
      await Promise.all(await startInWaves(workers, worker));
    } finally {
      outer?.removeEventListener('abort', onAbort);
      clearTimeout(this.saveTimer);
      this.flush();
      await this.saving;
      this.report(true);
    }
    if (this.failure !== undefined) throw this.failure;
  }

  private async runOne(item: Item, finished: Map<string, T>): Promise<void> {
    this.inFlight += 1;
    const controller = new AbortController();
    this.inFlightControllers.add(controller);
    try {
      const result = await this.options.rollout(item, controller.signal);
      finished.set(item.id, result);
      this.done += 1;
      this.unsaved.push(result);
      this.scheduleSave();
    } catch (error) {
      this.fail(error);
    } finally {
      this.inFlightControllers.delete(controller);
      this.inFlight -= 1;
      this.report(false);
    }
  }

  private fail(error: unknown): void {
    if (this.failure === undefined) this.failure = error;
    for (const controller of this.inFlightControllers) controller.abort(error);
  }

  private scheduleSave(): void {
    if (this.unsaved.length >= (this.options.saveBatchSize ?? 64)) {
      this.flush();
      return;
    }
    this.saveTimer ??= setTimeout(() => this.flush(), this.options.saveIntervalMs ?? 2000);
  }

  /** Queues the unsaved results behind earlier saves, so batches land in order. */
  private flush(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (this.unsaved.length === 0) return;
    const batch = this.unsaved;
    this.unsaved = [];
    this.saving = this.saving.then(async () => {
      await this.options.checkpoint.save(batch);
      this.savedCount += batch.length;
    });
    this.saving.catch((error: unknown) => this.fail(error));
  }

  private report(isFinal: boolean): void {
    const onProgress = this.options.onProgress;
    if (!onProgress) return;
    const now = performance.now();
    if (!isFinal && now - this.lastProgress < (this.options.progressIntervalMs ?? 500)) return;
    this.lastProgress = now;
    const elapsedMs = now - this.started;
    const total = this.options.items.length;
    const rate = elapsedMs > 0 ? (this.done * 1000) / elapsedMs : 0;
    const remaining = total - this.resumed - this.done;
    onProgress({
      total,
      resumed: this.resumed,
      done: this.done,
      inFlight: this.inFlight,
      saved: this.savedCount,
      elapsedMs,
      rate,
      etaMs: rate > 0 ? (remaining * 1000) / rate : null,
    });
  }
}

/**
 * Rollouts started per event-loop turn. Starting a thousand in one synchronous run builds
 * every first request before any is written to its socket, so the endpoint idles and then
 * gets them all at once; in waves, the first requests are on the wire while later ones are
 * built, and the driver's and the endpoint's work overlap.
 */
const WAVE_SIZE = 16;

async function startInWaves(count: number, start: () => Promise<void>): Promise<Promise<void>[]> {
  const running: Promise<void>[] = [];
  for (let index = 0; index < count; index += 1) {
    if (index > 0 && index % WAVE_SIZE === 0) await new Promise(setImmediate);
    running.push(start());
  }
  return running;
}
