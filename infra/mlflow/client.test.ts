import { describe, expect, it } from 'vitest';
import { DataError, ServiceUnavailableError, UpstreamHttpError } from '../../lib/errors.ts';
import { MlflowClient } from './client.ts';

interface Recorded {
  method: string;
  url: string;
  body: Record<string, unknown> | undefined;
}

/** A scripted MLflow: answers in order, records requests. */
function scripted(answers: Array<[number, unknown] | Error>): {
  fetch: typeof fetch;
  requests: Recorded[];
} {
  const requests: Recorded[] = [];
  const fake = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    requests.push({
      method: init?.method ?? 'GET',
      url: String(url),
      body: init?.body ? (JSON.parse(String(init.body)) as Record<string, unknown>) : undefined,
    });
    const answer = answers.shift() ?? [200, {}];
    if (answer instanceof Error) throw answer;
    return new Response(JSON.stringify(answer[1]), { status: answer[0] });
  };
  return { fetch: fake as typeof fetch, requests };
}

function client(fetchImpl: typeof fetch): MlflowClient {
  return new MlflowClient({
    trackingUri: 'http://mlflow.test/',
    fetch: fetchImpl,
    retry: { attempts: 3, baseDelayMs: 0, maxDelayMs: 0 },
  });
}

describe('MlflowClient', () => {
  it('chunks metrics to 1000 per log-batch and encodes non-finite values', async () => {
    const { fetch, requests } = scripted([]);
    const points = Array.from({ length: 2001 }, (_, step) => ({ key: 'loss', value: step, step }));
    points[5] = { key: 'loss', value: Number.POSITIVE_INFINITY, step: 5 };
    await client(fetch).logMetrics('r1', points);
    expect(requests.map((r) => (r.body?.['metrics'] as unknown[]).length)).toEqual([1000, 1000, 1]);
    expect(requests[0]?.url).toBe('http://mlflow.test/api/2.0/mlflow/runs/log-batch');
    const sixth = (requests[0]?.body?.['metrics'] as Array<{ value: unknown }>)[5];
    expect(sixth?.value).toBe('Infinity');
  });

  it('chunks params to 100 and refuses values over the length limit', async () => {
    const { fetch, requests } = scripted([]);
    const params = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`p${i}`, i]));
    await client(fetch).logParams('r1', params);
    expect(requests.map((r) => (r.body?.['params'] as unknown[]).length)).toEqual([100, 50]);
    await expect(client(fetch).logParams('r1', { long: 'x'.repeat(6001) })).rejects.toBeInstanceOf(
      DataError,
    );
  });

  it('retries 5xx and 429, then succeeds', async () => {
    const run = { info: { run_id: 'r1', experiment_id: '1', status: 'RUNNING' } };
    const { fetch, requests } = scripted([
      [503, {}],
      [429, {}],
      [200, { run }],
    ]);
    expect((await client(fetch).getRun('r1')).info.run_id).toBe('r1');
    expect(requests).toHaveLength(3);
  });

  it('does not retry other 4xx and keeps the status and MLflow error code', async () => {
    const { fetch, requests } = scripted([
      [400, { error_code: 'INVALID_PARAMETER_VALUE', message: 'bad' }],
    ]);
    const attempt = client(fetch).setTerminated('r1', 'FAILED');
    await expect(attempt).rejects.toBeInstanceOf(UpstreamHttpError);
    await expect(attempt).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('INVALID_PARAMETER_VALUE'),
    });
    expect(requests).toHaveLength(1);
  });

  it('gives up after the attempt budget on network failures, naming MLFLOW_TRACKING_URI', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: { code: 'ECONNREFUSED' },
    });
    const { fetch, requests } = scripted([refused, refused, refused, refused]);
    const attempt = client(fetch).getRun('r1');
    await expect(attempt).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(attempt).rejects.toThrow(
      /MLFLOW_TRACKING_URI=http:\/\/mlflow\.test.*ECONNREFUSED/,
    );
    expect(requests).toHaveLength(3);
  });

  it('creates a missing experiment and tolerates losing a creation race', async () => {
    const missing: [number, unknown] = [404, { error_code: 'RESOURCE_DOES_NOT_EXIST' }];
    const created = scripted([missing, [200, { experiment_id: '7' }]]);
    expect(await client(created.fetch).getOrCreateExperiment('exp')).toBe('7');
    expect(created.requests[0]?.url).toContain('experiments/get-by-name?experiment_name=exp');

    const raced = scripted([
      missing,
      [400, { error_code: 'RESOURCE_ALREADY_EXISTS' }],
      [200, { experiment: { experiment_id: '8', name: 'exp' } }],
    ]);
    expect(await client(raced.fetch).getOrCreateExperiment('exp')).toBe('8');
  });

  it('follows pagination in metric history and run search', async () => {
    const point = (step: number) => ({ key: 'm', value: step, timestamp: 1, step });
    const { fetch, requests } = scripted([
      [200, { metrics: [point(0)], next_page_token: 'next' }],
      [200, { metrics: [point(1)] }],
    ]);
    expect((await client(fetch).getMetricHistory('r1', 'm')).map((p) => p.step)).toEqual([0, 1]);
    expect(requests[1]?.url).toContain('page_token=next');
  });
});
