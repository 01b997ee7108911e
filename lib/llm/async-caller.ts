/**
 * Bounded concurrency plus retries with full-jitter exponential backoff for calls to remote
 * services. Never retries a cancellation or an error that says the request itself is wrong.
 */
import { LabError, NON_RETRYABLE_CODES, UpstreamHttpError } from '../errors.ts';
import { abortableSleep, abortReason } from './abortable-sleep.ts';

export interface AsyncCallerOptions {
  /** Calls running at once; further calls wait in FIFO order (default 16). */
  maxConcurrency?: number;
  /** Retries after the first attempt (default 3). */
  maxRetries?: number;
  /** Backoff before retry n is uniform in [0, min(maxDelayMs, baseDelayMs * 2^n)]. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  isRetryable?: (error: unknown) => boolean;
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  random?: () => number;
}

/** Default policy: 4xx other than 408/429 and non-retryable lab errors fail at once. */
export function isRetryableError(error: unknown): boolean {
  if (error instanceof UpstreamHttpError) return error.isRetryable;
  if (error instanceof LabError) return !NON_RETRYABLE_CODES.includes(error.code);
  if (error instanceof Error && error.name === 'AbortError') return false;
  return true;
}

export class AsyncCaller {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private retryCount = 0;

  constructor(private readonly options: AsyncCallerOptions = {}) {}

  /** Retries performed so far, over all calls. */
  get retries(): number {
    return this.retryCount;
  }

  /** Runs `attempt` (numbered from 0) under the concurrency bound, retrying per the policy. */
  async call<T>(attempt: (attemptIndex: number) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const maxRetries = this.options.maxRetries ?? 3;
    const isRetryable = this.options.isRetryable ?? isRetryableError;
    for (let index = 0; ; index += 1) {
      try {
        return await this.withSlot(() => attempt(index), signal);
      } catch (error) {
        if (signal?.aborted || index >= maxRetries || !isRetryable(error)) throw error;
        const delayMs = this.backoff(index);
        this.retryCount += 1;
        this.options.onRetry?.({ attempt: index + 1, delayMs, error });
        await abortableSleep(delayMs, signal);
      }
    }
  }

  private backoff(retryIndex: number): number {
    const base = this.options.baseDelayMs ?? 250;
    const cap = Math.min(this.options.maxDelayMs ?? 10_000, base * 2 ** retryIndex);
    return (this.options.random ?? Math.random)() * cap;
  }

  private async withSlot<T>(run: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await run();
    } finally {
      this.release();
    }
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.active < (this.options.maxConcurrency ?? 16)) {
      this.active += 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        this.active += 1;
        resolve();
      };
      const onAbort = (): void => {
        const at = this.waiting.indexOf(grant);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(abortReason(signal as AbortSignal));
      };
      this.waiting.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private release(): void {
    this.active -= 1;
    this.waiting.shift()?.();
  }
}
