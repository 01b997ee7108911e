import { describe, expect, it } from 'vitest';
import { createGpuLease } from './gpu-lease.ts';

describe('createGpuLease', () => {
  it('hands out at most count GPUs and passes a released one to the next waiter', async () => {
    const pool = createGpuLease(2, 'h100');
    const signal = new AbortController().signal;
    const a = await pool.acquire(signal);
    const b = await pool.acquire(signal);
    expect([a.index, b.index].sort()).toEqual([0, 1]);
    expect(a.gpuClass).toBe('h100');
    let third: number | undefined;
    const waiting = pool.acquire(signal).then((lease) => (third = lease.index));
    await Promise.resolve();
    expect(third).toBeUndefined();
    b.release();
    await waiting;
    expect(third).toBe(b.index);
  });

  it('rejects a waiter whose activity is cancelled', async () => {
    const pool = createGpuLease(1);
    await pool.acquire(new AbortController().signal);
    const controller = new AbortController();
    const waiting = pool.acquire(controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
  });
});
