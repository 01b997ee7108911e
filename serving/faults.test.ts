import { describe, expect, it } from 'vitest';
import { FaultInjector } from './faults.ts';

describe('FaultInjector latency', () => {
  it('counts the time already spent on a request toward its latency', async () => {
    const faults = new FaultInjector({ latencyMs: 60_000 });
    // Were the 60 s waited again from here, the test would time out.
    await expect(faults.next(new AbortController().signal, 60_000)).resolves.toEqual({
      kind: 'ok',
    });
  });

  it('still waits out the latency that is left', async () => {
    const faults = new FaultInjector({ latencyMs: 60_000 });
    const controller = new AbortController();
    const pending = faults.next(controller.signal, 59_000);
    controller.abort(new Error('client left'));
    await expect(pending).rejects.toThrow('client left');
  });
});
