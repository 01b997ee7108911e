export interface RetryOptions {
  /** Total tries, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Whether a failure may succeed on a later try. */
  isRetryable: (error: unknown) => boolean;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export const DEFAULT_RETRY: Omit<RetryOptions, 'isRetryable'> = {
  attempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 5_000,
};

/**
 * Delay before try `attempt + 1`: "full jitter" exponential backoff, a uniform draw below
 * min(max, base * 2^attempt), so many clients retrying together spread out.
 */
export function backoffDelay(attempt: number, options: Omit<RetryOptions, 'isRetryable'>): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
  return Math.floor((options.random ?? Math.random)() * ceiling);
}

const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `task` until it succeeds, fails with a non-retryable error, or runs out of tries. */
export async function withRetry<T>(task: () => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await task();
    } catch (error) {
      if (attempt + 1 >= options.attempts || !options.isRetryable(error)) throw error;
      await sleep(backoffDelay(attempt, options));
    }
  }
}
