/**
 * `n`, `stream` and refused parameters, over HTTP on loopback, in front of the real ONNX
 * backend on the char fixture checkpoint.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadCharTokenizer } from '../lib/llm/onnx/char-tokenizer.ts';
import { CHECKPOINT_FILES, loadCheckpointConfig } from '../lib/llm/onnx/checkpoint.ts';
import { OnnxBackend } from '../lib/llm/onnx/onnx-backend.ts';
import { OnnxCausalLm } from '../lib/llm/onnx/onnx-causal-lm.ts';
import { createOpenAiServer } from './openai-server.ts';

const DIR = join(import.meta.dirname, '..', 'lib', 'llm', 'onnx', 'fixtures', 'tiny-char');
const MODEL = 'tiny-char';
let model: OnnxCausalLm;
let app: FastifyInstance;
let baseUrl: string;

beforeAll(async () => {
  model = await OnnxCausalLm.load(
    join(DIR, CHECKPOINT_FILES.model),
    await loadCheckpointConfig(DIR),
    1,
  );
  const tokenizer = await loadCharTokenizer(join(DIR, CHECKPOINT_FILES.tokenizer));
  app = createOpenAiServer({
    backend: new OnnxBackend({ model, tokenizer }),
    modelName: MODEL,
  }).app;
  baseUrl = `${await app.listen({ port: 0, host: '127.0.0.1' })}/v1`;
});
afterAll(async () => {
  await app.close();
  await model.close();
});

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function post(path: string, body: object): Promise<Response> {
  return fetch(`${baseUrl}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: MODEL, ...body }),
  });
}

async function postJson(path: string, body: object): Promise<{ status: number; json: Json }> {
  const response = await post(path, body);
  return { status: response.status, json: (await response.json()) as Json };
}

/** Parses a text/event-stream body strictly: only `data:` events, `[DONE]` last. */
async function postStream(path: string, body: object): Promise<Json[]> {
  const response = await post(path, { ...body, stream: true });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const raw = await response.text();
  expect(raw.endsWith('data: [DONE]\n\n')).toBe(true);
  const events = raw.slice(0, -'data: [DONE]\n\n'.length).split('\n\n');
  expect(events.pop()).toBe('');
  return events.map((event) => {
    expect(event.startsWith('data: ')).toBe(true);
    return JSON.parse(event.slice('data: '.length)) as Json;
  });
}

const CHAT = { messages: [{ role: 'user', content: 'Question: who wrote it?' }] };

describe('n choices', () => {
  it('returns n choices, each sampled on its own and reproducible from the seed', async () => {
    const sampled = { ...CHAT, max_tokens: 24, temperature: 1, seed: 11 };
    const { status, json } = await postJson('chat/completions', { ...sampled, n: 3 });
    expect(status).toBe(200);
    expect(json.choices.map((choice: Json) => choice.index)).toEqual([0, 1, 2]);
    const texts: string[] = json.choices.map((choice: Json) => choice.message.content);
    expect(new Set(texts).size).toBe(3);
    expect(json.usage.completion_tokens).toBe(3 * 24);
    const again = await postJson('chat/completions', { ...sampled, n: 3 });
    expect(again.json.choices.map((choice: Json) => choice.message.content)).toEqual(texts);
    // Choice i is the sample a single request with seed + i gets.
    const single = await postJson('chat/completions', { ...sampled, seed: 12 });
    expect(single.json.choices[0].message.content).toBe(texts[1]);
  });

  it('runs the n choices through the ONNX backend as one batch', async () => {
    const spy = vi.spyOn(model, 'generate');
    try {
      const { json } = await postJson('completions', { prompt: 'a', n: 3, max_tokens: 8 });
      expect(json.choices).toHaveLength(3);
      expect(spy.mock.calls.map(([rows]) => rows.length)).toEqual([3]);
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses n out of range, naming the parameter', async () => {
    for (const n of [0, 129, 1.5]) {
      const { status, json } = await postJson('chat/completions', { ...CHAT, n });
      expect(status).toBe(400);
      expect(json.error).toMatchObject({ type: 'invalid_request_error', param: 'n' });
    }
  });
});

describe('stream', () => {
  it('sends chat.completion.chunk events that reassemble into the non-streamed answer', async () => {
    const body = { ...CHAT, max_tokens: 30, temperature: 0 };
    const whole = await postJson('chat/completions', body);
    const events = await postStream('chat/completions', body);
    expect(new Set(events.map((event) => event.id)).size).toBe(1);
    expect(events.every((event) => event.object === 'chat.completion.chunk')).toBe(true);
    const choices = events.map((event) => event.choices[0]);
    expect(choices[0].delta).toEqual({ role: 'assistant', content: '' });
    const contents = choices.slice(1, -1).map((choice) => choice.delta.content as string);
    expect(contents.length).toBeGreaterThan(0);
    expect(contents.join('')).toBe(whole.json.choices[0].message.content);
    expect(choices.slice(0, -1).every((choice) => choice.finish_reason === null)).toBe(true);
    expect(choices.at(-1)).toMatchObject({ delta: {}, finish_reason: 'length' });
  });

  it('streams /v1/completions with the stop string cut as without streaming', async () => {
    const probe = await postJson('completions', {
      prompt: 'hello',
      max_tokens: 30,
      temperature: 0,
    });
    const free: string = probe.json.choices[0].text;
    const stop = free.slice(8, 10);
    const body = { prompt: 'hello', max_tokens: 30, temperature: 0, stop: [stop] };
    const whole = (await postJson('completions', body)).json.choices[0];
    expect(whole).toMatchObject({ finish_reason: 'stop', stop_reason: stop });
    const events = await postStream('completions', body);
    expect(events.every((event) => event.object === 'text_completion')).toBe(true);
    const choices = events.map((event) => event.choices[0]);
    expect(choices.map((choice) => choice.text).join('')).toBe(whole.text);
    expect(choices.at(-1)).toMatchObject({ finish_reason: 'stop', stop_reason: stop });
  });

  it('streams every choice of n and a usage chunk when asked', async () => {
    const body = {
      ...CHAT,
      n: 2,
      max_tokens: 10,
      temperature: 1,
      seed: 3,
      stream_options: { include_usage: true },
    };
    const whole = await postJson('chat/completions', { ...body, stream_options: undefined });
    const events = await postStream('chat/completions', body);
    const usage = events.pop() as Json;
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toEqual(whole.json.usage);
    expect(events.every((event) => event.usage === null)).toBe(true);
    for (const index of [0, 1]) {
      const own = events
        .map((event) => event.choices[0])
        .filter((choice) => choice.index === index);
      const text = own.map((choice) => choice.delta.content ?? '').join('');
      expect(text).toBe(whole.json.choices[index].message.content);
      expect(own.at(-1).finish_reason).toBe('length');
    }
  });
});

describe('parameters it cannot honour', () => {
  it.each([
    ['chat/completions', { logprobs: true }, 'logprobs'],
    ['chat/completions', { top_logprobs: 2 }, 'top_logprobs'],
    ['completions', { logprobs: 1 }, 'logprobs'],
    ['chat/completions', { tools: [{ type: 'function', function: { name: 'f' } }] }, 'tools'],
    ['chat/completions', { response_format: { type: 'json_object' } }, 'response_format'],
    ['chat/completions', { frequency_penalty: 0.5 }, 'frequency_penalty'],
    ['completions', { echo: true }, 'echo'],
    ['completions', { best_of: 3 }, 'best_of'],
    ['chat/completions', { temprature: 0 }, 'temprature'],
    ['chat/completions', { stream_options: { include_usage: true } }, 'stream_options'],
  ])('%s refuses %j with a 400 naming %s', async (path, extra, param) => {
    const input = path === 'completions' ? { prompt: 'a' } : CHAT;
    const { status, json } = await postJson(path, { ...input, max_tokens: 2, ...extra });
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ type: 'invalid_request_error', param });
    expect(json.error.message).toContain(param);
  });

  it('accepts the values that ask for nothing, and null for "not given"', async () => {
    const { status, json } = await postJson('chat/completions', {
      ...CHAT,
      max_tokens: 2,
      logprobs: false,
      tools: [],
      frequency_penalty: 0,
      stop: null,
      user: 'someone',
    });
    expect(status).toBe(200);
    expect(json.choices).toHaveLength(1);
  });
});
