import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamHttpError } from '../lib/errors.ts';
import { multiQuerySearch } from '../lib/retrieval/multi-query.ts';
import type { Retriever } from '../lib/retrieval/types.ts';
import { buildBm25Index } from './bm25-builder.ts';
import { createBm25Retriever, type Bm25Retriever } from './bm25-retriever.ts';
import { readCorpus } from './corpus-reader.ts';
import { createHttpRetriever } from './http-retriever.ts';
import { createRetrievalService } from './service.ts';
import { sharedDataPath } from '../lib/shared-data.ts';

const CORPUS = sharedDataPath('corpus/wiki-sample.jsonl');
let dir: string;
let bm25: Bm25Retriever;
let app: FastifyInstance;
let base: string;

// The tests probe several response shapes (results, errors) field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function post(body: unknown, raw = false): Promise<{ status: number; json: any }> {
  const response = await fetch(`${base}/retrieve`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: raw ? (body as string) : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'retrieval-service-'));
  await buildBm25Index({ passages: readCorpus(CORPUS), out: join(dir, 'wiki.idx') });
  bm25 = createBm25Retriever({ indexPath: join(dir, 'wiki.idx'), threads: 2 });
  app = createRetrievalService({
    retriever: bm25,
    limits: { maxQueries: 8, maxQueryChars: 200, maxTopK: 20 },
  });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app.close();
  await bm25.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('retrieval service', () => {
  it('answers a Search-R1 request with scores, one list per query in order', async () => {
    const { status, json } = await post({
      queries: ['who told the story of the prodigal son', 'grim reaper weapon'],
      topk: 3,
      return_scores: true,
    });
    expect(status).toBe(200);
    expect(json.result).toHaveLength(2);
    expect(json.result[0]).toHaveLength(3);
    expect(json.result[0][0].document.id).toBe('nqgold-2417');
    expect(typeof json.result[0][0].document.contents).toBe('string');
    expect(json.result[0][0].score).toBeGreaterThan(json.result[0][2].score);
  });

  it('returns plain documents without return_scores and uses the default topk for 0', async () => {
    const { status, json } = await post({ queries: ['Canberra'], topk: 0 });
    expect(status).toBe(200);
    expect(json.result[0]).toHaveLength(3);
    expect(Object.keys(json.result[0][0]).sort()).toEqual(['contents', 'id']);
  });

  it.each([
    [{ topk: 3 }, 'queries'],
    [{ queries: 'one string' }, 'queries'],
    [{ queries: [1, 2] }, 'queries.0'],
    [{ queries: ['q'], topk: 1000 }, 'topk'],
    [{ queries: ['q'], topk: -1 }, 'topk'],
    [{ queries: Array(9).fill('q') }, 'exceed the limit of 8'],
    [{ queries: ['x'.repeat(201)] }, 'queries.0'],
  ])('rejects %j with 400 naming the problem', async (body, fragment) => {
    const { status, json } = await post(body);
    expect(status).toBe(400);
    expect(json.error).toBe('bad_request');
    expect(json.message).toContain(fragment);
  });

  it('rejects malformed JSON with 400', async () => {
    const { status, json } = await post('{"queries": [', true);
    expect(status).toBe(400);
    expect(json.message.length).toBeGreaterThan(0);
  });

  it('serves health and Prometheus metrics', async () => {
    const health = (await (await fetch(`${base}/health`)).json()) as { status: string };
    expect(health.status).toBe('ok');
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/retriever_queries_total [1-9]/);
    expect(metrics).toContain('retriever_http_responses_total{code="400"}');
  });

  it('lets the HTTP client and the in-process retriever give identical results', async () => {
    const remote = createHttpRetriever(base);
    const queries = ['capital of Australia', 'population of Canberra', 'prodigal son'];
    const a = await multiQuerySearch(remote, queries, 3);
    const b = await multiQuerySearch(bm25, queries, 3);
    expect(a).toEqual(b);
  });

  it('client raises a non-retryable UpstreamHttpError on 4xx', async () => {
    const remote = createHttpRetriever(base, { retries: 2 });
    const error = await remote.retrieve(['q'], 1000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamHttpError);
    expect((error as UpstreamHttpError).status).toBe(400);
    expect((error as UpstreamHttpError).isRetryable).toBe(false);
  });
});

describe('backpressure', () => {
  it('answers 429 when the queue is full and 200 again afterwards', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow: Retriever = {
      id: 'slow',
      retrieve: async (queries) => {
        await gate;
        return queries.map(() => []);
      },
    };
    const service = createRetrievalService({
      retriever: slow,
      limits: { maxConcurrent: 1, maxQueued: 1 },
    });
    const url = await service.listen({ port: 0, host: '127.0.0.1' });
    const send = () =>
      fetch(`${url}/retrieve`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ queries: ['q'] }),
      });
    const first = send();
    const second = send();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const third = await send();
    expect(third.status).toBe(429);
    expect(((await third.json()) as { error: string }).error).toBe('queue_full');
    release();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    await service.close();
  });

  it('answers 429 past the global rate limit', async () => {
    const fast: Retriever = { id: 'fast', retrieve: async (queries) => queries.map(() => []) };
    const service = createRetrievalService({ retriever: fast, limits: { rateLimitPerSecond: 2 } });
    const statuses = [];
    for (let i = 0; i < 4; i += 1) {
      const response = await service.inject({
        method: 'POST',
        url: '/retrieve',
        payload: { queries: ['q'] },
      });
      statuses.push(response.statusCode);
    }
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    expect(statuses).toContain(429);
    await service.close();
  });
});
