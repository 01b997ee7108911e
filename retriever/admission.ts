/**
 * Backpressure for the retrieval service: at most `maxConcurrent` batches search at once, at
 * most `maxQueued` wait; beyond that callers are refused (HTTP 429) instead of piling up. An
 * optional token bucket caps the global request rate.
 */
export interface AdmissionOptions {
  maxConcurrent: number;
  maxQueued: number;
  /** Requests per second over all clients; undefined = unlimited. */
  rateLimitPerSecond?: number;
}

export type AdmissionRefusal = 'queue_full' | 'rate_limited';

export class Admission {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private tokens: number;
  private refilledAt = performance.now();

  constructor(private readonly options: AdmissionOptions) {
    this.tokens = options.rateLimitPerSecond ?? 0;
  }

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** A refusal reason, or a release function once the caller may run. */
  async acquire(): Promise<AdmissionRefusal | (() => void)> {
    if (!this.takeToken()) return 'rate_limited';
    if (this.active < this.options.maxConcurrent) {
      this.active += 1;
      return this.releaser();
    }
    if (this.waiting.length >= this.options.maxQueued) return 'queue_full';
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    };
  }

  private takeToken(): boolean {
    const rate = this.options.rateLimitPerSecond;
    if (rate === undefined) return true;
    const now = performance.now();
    this.tokens = Math.min(rate, this.tokens + ((now - this.refilledAt) / 1000) * rate);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
