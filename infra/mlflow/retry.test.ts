import { describe, expect, it } from 'vitest';
import { backoffDelay, withRetry } from './retry.ts';

describe('withRetry', () => {
  it('retries retryable failures with growing, bounded, jittered delays', async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls += 1;
        if (calls < 4) throw new Error('transient');
        return 'ok';
      },
      {
        attempts: 5,
        baseDelayMs: 100,
        maxDelayMs: 250,
        isRetryable: () => true,
        random: () => 0.999,
        sleep: async (ms) => void delays.push(ms),
      },
    );
    expect(result).toBe('ok');
    expect(delays).toEqual([99, 199, 249]);
  });

  it('stops at once on a non-retryable error and after the attempt budget otherwise', async () => {
    let calls = 0;
    const options = { attempts: 3, baseDelayMs: 0, maxDelayMs: 0, sleep: async () => undefined };
    await expect(
      withRetry(
        async () => {
          calls += 1;
          throw new Error('fatal');
        },
        { ...options, isRetryable: () => false },
      ),
    ).rejects.toThrow('fatal');
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      withRetry(
        async () => {
          calls += 1;
          throw new Error('again');
        },
        { ...options, isRetryable: () => true },
      ),
    ).rejects.toThrow('again');
    expect(calls).toBe(3);
  });

  it('draws full jitter below the exponential ceiling', () => {
    const options = { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(0, { ...options, random: () => 0 })).toBe(0);
    expect(backoffDelay(10, { ...options, random: () => 0.5 })).toBe(500);
  });
});
