/**
 * The HTTP backend against the project's own OpenAI-compatible server on a loopback port,
 * including a server that fails, stalls and sees its client go away.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { RolloutConfigSchema } from '../lib/agent/config.ts';
import { runRollout } from '../lib/agent/rollout.ts';
import { UpstreamHttpError } from '../lib/errors.ts';
import { abortableSleep } from '../lib/llm/abortable-sleep.ts';
import type { GenerateRequest } from '../lib/llm/backend.ts';
import { CHATML_TEMPLATE } from '../lib/llm/chat-template.ts';
import { OpenAiHttpBackend, type OpenAiHttpOptions } from '../lib/llm/openai-http.ts';
import { ScriptedBackend } from '../lib/llm/scripted-backend.ts';
import type { Retriever } from '../lib/retrieval/types.ts';
import { FaultInjector, type FaultPlan } from './faults.ts';
import { createOpenAiServer } from './openai-server.ts';

const MODEL = 'tiny-policy';
const running: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.close()));
});

async function startServer(
  options: { plan?: FaultPlan; apiKey?: string; latencyMs?: number } = {},
) {
  const seen: GenerateRequest[] = [];
  let active = 0;
  let peak = 0;
  const model = new ScriptedBackend({
    respond: (request) => {
      seen.push(request);
      return '<think>ok</think><search> capital of France </search> trailing';
    },
    latencyMs: () => {
      active += 1;
      peak = Math.max(peak, active);
      setTimeout(() => (active -= 1), options.latencyMs ?? 0);
      return options.latencyMs ?? 0;
    },
  });
  const { app, stats } = createOpenAiServer({
    backend: model,
    modelName: MODEL,
    faults: new FaultInjector(options.plan),
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
  });
  running.push(app);
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, baseUrl: `${address}/v1`, stats, seen, peak: () => peak };
}

const request = (signal?: AbortSignal): GenerateRequest => ({
  messages: [{ role: 'user', content: 'Question: q\n' }],
  assistantPrefix: 'so far ',
  sampling: { temperature: 0, topP: 1, maxTokens: 50, stop: ['</search>', '</answer>'] },
  ...(signal ? { signal } : {}),
});

const backendFor = (baseUrl: string, extra: Partial<OpenAiHttpOptions> = {}) =>
  new OpenAiHttpBackend({ baseUrl, model: MODEL, baseDelayMs: 5, maxDelayMs: 20, ...extra });

describe('OpenAiHttpBackend against the serving/ server', () => {
  it('completes through /v1/completions with the chat template and restores the stop string', async () => {
    const server = await startServer();
    const backend = backendFor(server.baseUrl);
    const result = await backend.generate(request());
    expect(result).toMatchObject({
      text: '<think>ok</think><search> capital of France </search>',
      finishReason: 'stop',
    });
    expect(server.seen[0]?.messages).toEqual([]);
    expect(server.seen[0]?.assistantPrefix).toBe(
      '<|im_start|>user\nQuestion: q\n<|im_end|>\n<|im_start|>assistant\nso far ',
    );
    expect(backend.usage.requests).toBe(1);
    expect(backend.usage.completionTokens).toBeGreaterThan(0);
  });

  it('continues the assistant prefix through /v1/chat/completions', async () => {
    const server = await startServer();
    const result = await backendFor(server.baseUrl, { api: 'chat' }).generate(request());
    expect(result.text.endsWith('</search>')).toBe(true);
    expect(server.seen[0]?.messages).toEqual([{ role: 'user', content: 'Question: q\n' }]);
    expect(server.seen[0]?.assistantPrefix).toBe('so far ');
  });

  it('retries injected 503s and then succeeds', async () => {
    const server = await startServer({ plan: { failNext: 2, failStatus: 503 } });
    const backend = backendFor(server.baseUrl);
    await expect(backend.generate(request())).resolves.toMatchObject({ finishReason: 'stop' });
    expect(server.stats.failed).toBe(2);
    expect(backend.usage.retries).toBe(2);
  });

  it('gives up after maxRetries with the server status in the error', async () => {
    const server = await startServer({ plan: { failNext: 10, failStatus: 500 } });
    const backend = backendFor(server.baseUrl, { maxRetries: 2 });
    const error = await backend.generate(request()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamHttpError);
    expect((error as UpstreamHttpError).status).toBe(500);
    expect(server.stats.failed).toBe(3);
  });

  it('fails at once with a clear message on a bad API key', async () => {
    const server = await startServer({ apiKey: 'secret' });
    const backend = backendFor(server.baseUrl, { apiKey: 'wrong' });
    await expect(backend.generate(request())).rejects.toThrow(
      /authentication failed \(HTTP 401\).*API key/,
    );
    expect(backend.usage.retries).toBe(0);
    await expect(
      backendFor(server.baseUrl, { apiKey: 'secret' }).generate(request()),
    ).resolves.toBeDefined();
  });

  it('fails at once naming the model when the server does not serve it', async () => {
    const server = await startServer();
    const backend = backendFor(server.baseUrl, { model: 'llama-70b' });
    await expect(backend.generate(request())).rejects.toThrow(/model "llama-70b" not found/);
    expect(backend.usage.retries).toBe(0);
    await expect(backend.checkModel()).rejects.toThrow(/available: tiny-policy/);
    await expect(backendFor(server.baseUrl).checkModel()).resolves.toBeUndefined();
  });

  it('times out a stalled request, retries it, and the server sees the first client leave', async () => {
    const server = await startServer({ plan: { stallNext: 1 } });
    const backend = backendFor(server.baseUrl, { timeoutMs: 300 });
    const started = performance.now();
    await expect(backend.generate(request())).resolves.toMatchObject({ finishReason: 'stop' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(server.stats.stalled).toBe(1);
    await abortableSleep(50);
    expect(server.stats.cancelled).toBe(1);
  });

  it('reports a timeout as a retryable 408 once retries run out', async () => {
    const server = await startServer({ plan: { stallNext: 5 } });
    const backend = backendFor(server.baseUrl, { timeoutMs: 100, maxRetries: 1 });
    await expect(backend.generate(request())).rejects.toThrow(/no response within 100 ms/);
  });

  it('cancels an in-flight request at once and the server aborts its generation', async () => {
    const server = await startServer({ latencyMs: 5_000 });
    const backend = backendFor(server.baseUrl);
    const controller = new AbortController();
    const started = performance.now();
    const pending = backend.generate(request(controller.signal));
    await abortableSleep(100);
    controller.abort();
    await expect(pending).rejects.toThrow(/abort/i);
    expect(performance.now() - started).toBeLessThan(1_000);
    await abortableSleep(50);
    expect(server.stats.cancelled).toBe(1);
    expect(backend.usage.retries).toBe(0);
  });

  it('bounds concurrency on the client side', async () => {
    const server = await startServer({ latencyMs: 50 });
    const backend = backendFor(server.baseUrl, { maxConcurrency: 2 });
    await Promise.all(Array.from({ length: 6 }, () => backend.generate(request())));
    expect(server.peak()).toBe(2);
  });

  it('keeps every keep-alive socket of a burst for the next one (more than the 256 Node keeps by default)', async () => {
    const server = await startServer({ latencyMs: 30 });
    let connections = 0;
    server.app.server.on('connection', () => (connections += 1));
    const backend = backendFor(server.baseUrl, { maxConcurrency: 300 });
    const burst = () => Promise.all(Array.from({ length: 300 }, () => backend.generate(request())));
    await burst();
    expect(connections).toBe(300);
    // Rollouts spend at least a retrieval between turns; let the last responses' sockets settle.
    await abortableSleep(10);
    await burst();
    expect(connections).toBe(300);
    await backend.close();
  });

  it('reports an unreachable server as a retryable network error', async () => {
    const server = await startServer();
    const url = server.baseUrl;
    await running.pop()?.close();
    const backend = backendFor(url, { maxRetries: 1 });
    const error = await backend.generate(request()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamHttpError);
    expect((error as UpstreamHttpError).status).toBe(0);
    expect((error as Error).message).toMatch(/request failed/);
  });

  it.each(['completions', 'chat'] as const)(
    'sends every turn of a rollout its whole context, though it encodes only what the turn added (%s)',
    async (api) => {
      const server = await startServer();
      // Quotes, backslashes, non-Latin-1 and an astral character: all escaped or multi-byte.
      const contents = 'Tōkyō "東京" \\ 😀 capital\nline';
      const retriever: Retriever = {
        id: 'fixed',
        retrieve: async (queries) =>
          queries.map(() => [{ document: { id: 'd1', contents }, score: 1 }]),
      };
      const backend = backendFor(server.baseUrl, { api });
      const trajectory = await runRollout({
        question: { id: 'q', question: 'What is the capital of Japan?' },
        // sq: documents go in raw (mq would \u-escape them as Python's json.dumps does).
        mode: 'sq',
        backend,
        retriever,
        config: RolloutConfigSchema.parse({ maxTurns: 2, temperature: 0 }),
      });
      await backend.close();
      const texts = trajectory.segments.map((segment) => segment.text);
      expect(server.seen).toHaveLength(3);
      server.seen.forEach((seen, turn) => {
        const context = texts.slice(0, 2 * turn).join('');
        if (api === 'completions') {
          const messages = [{ role: 'user' as const, content: trajectory.prompt }];
          expect(seen.assistantPrefix).toBe(CHATML_TEMPLATE(messages, context));
        } else {
          expect(seen.messages[0]?.content).toBe(trajectory.prompt);
          expect(seen.assistantPrefix).toBe(context);
        }
      });
      expect(texts.join('')).toContain('東京');
    },
  );
});
