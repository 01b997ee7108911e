import { describe, expect, it } from 'vitest';
import { UpstreamHttpError } from '../errors.ts';
import { abortableSleep } from './abortable-sleep.ts';
import { AsyncCaller } from './async-caller.ts';

describe('AsyncCaller', () => {
  it('retries retryable errors with jittered, capped exponential delays', async () => {
    const delays: number[] = [];
    const caller = new AsyncCaller({
      maxRetries: 4,
      baseDelayMs: 10,
      maxDelayMs: 25,
      random: () => 0.5,
      onRetry: ({ delayMs }) => delays.push(delayMs),
    });
    let calls = 0;
    const value = await caller.call(async () => {
      calls += 1;
      if (calls < 5) throw new UpstreamHttpError('busy', 429);
      return 'ok';
    });
    expect(value).toBe('ok');
    expect(delays).toEqual([5, 10, 12.5, 12.5]);
    expect(caller.retries).toBe(4);
  });

  it('never retries a 4xx that is not 408 or 429', async () => {
    const caller = new AsyncCaller({ baseDelayMs: 1 });
    let calls = 0;
    await expect(
      caller.call(async () => {
        calls += 1;
        throw new UpstreamHttpError('bad request', 400);
      }),
    ).rejects.toThrow('bad request');
    expect(calls).toBe(1);
  });

  it('holds at most maxConcurrency calls at once and serves waiters in order', async () => {
    const caller = new AsyncCaller({ maxConcurrency: 3 });
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        caller.call(async () => {
          active += 1;
          peak = Math.max(peak, active);
          order.push(index);
          await abortableSleep(5);
          active -= 1;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('stops waiting for a slot or a backoff when cancelled', async () => {
    const caller = new AsyncCaller({ maxConcurrency: 1, baseDelayMs: 10_000, random: () => 1 });
    const controller = new AbortController();
    const blocker = caller.call(() => abortableSleep(200));
    const queued = caller.call(async () => 'never', controller.signal);
    const backingOff = new AsyncCaller({ baseDelayMs: 10_000, random: () => 1 }).call(async () => {
      throw new UpstreamHttpError('down', 503);
    }, controller.signal);
    await abortableSleep(20);
    controller.abort();
    await expect(queued).rejects.toThrow(/abort/i);
    await expect(backingOff).rejects.toThrow(/abort/i);
    await blocker;
  });
});
