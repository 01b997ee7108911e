import { describe, expect, it } from 'vitest';
import { UpstreamHttpError } from './errors.ts';

describe('UpstreamHttpError', () => {
  it('retries server errors, timeouts and throttling but not other client errors', () => {
    expect(new UpstreamHttpError('x', 503).isRetryable).toBe(true);
    expect(new UpstreamHttpError('x', 429).isRetryable).toBe(true);
    expect(new UpstreamHttpError('x', 408).isRetryable).toBe(true);
    expect(new UpstreamHttpError('x', 401).isRetryable).toBe(false);
    expect(new UpstreamHttpError('x', 404).isRetryable).toBe(false);
  });
});
