/**
 * Checkpoints as the trainer writes them: its tokenizer.json format, and an `export-onnx`
 * directory (fixtures/tiny-policy, from fixtures/make-tiny-policy.sh) served over HTTP and
 * checked against the greedy tokens PyTorch produced at export.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OnnxBackend } from '../lib/llm/onnx/onnx-backend.ts';
import { loadTokenizer } from '../lib/tokenizer/tokenizer.ts';
import { loadCheckpointTokenizer } from './load-checkpoint-tokenizer.ts';
import { loadServedCheckpoint } from './load-served-checkpoint.ts';
import { createOpenAiServer } from './openai-server.ts';
import { readGreedyVectors, TINY_POLICY_DIR, type GreedyVector } from './fixtures/tiny-policy.ts';

const TRAINER_TOKENIZER = join(
  import.meta.dirname,
  '..',
  'lib',
  'tokenizer',
  'fixtures',
  'tokenizer.json',
);
const CHAR_TOKENIZER = join(
  import.meta.dirname,
  '..',
  'lib',
  'llm',
  'onnx',
  'fixtures',
  'tiny-char',
  'tokenizer.json',
);

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'serving-tokenizer-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function writeScratch(name: string, content: string): Promise<string> {
  const path = join(scratch, name);
  await writeFile(path, content);
  return path;
}

describe('loadCheckpointTokenizer', () => {
  it('loads a trainer tokenizer.json, with the ids of lib/tokenizer', async () => {
    const { kind, tokenizer } = await loadCheckpointTokenizer(TRAINER_TOKENIZER);
    expect(kind).toBe('rag-r1-word');
    const text = '<think> The capital of Australia is Canberra .</think><answer> Canberra';
    expect(tokenizer.encode(text)).toEqual(loadTokenizer(TRAINER_TOKENIZER).encode(text));
    expect(tokenizer.decode(tokenizer.encode(`<|bos|>${text}<|eos|>`))).toBe(text);
  });

  it('still loads the char fixture', async () => {
    const { kind, tokenizer } = await loadCheckpointTokenizer(CHAR_TOKENIZER);
    expect(kind).toBe('char-fixture');
    expect(tokenizer.decode(tokenizer.encode('hello'))).toBe('hello');
  });

  it.each([
    [
      'an unknown trainer format',
      { format: 'rag-r1-word-v9', pieces: [] },
      /"format": "rag-r1-word-v9"/,
    ],
    [
      'a Hugging Face tokenizers file',
      { version: '1.0', model: { type: 'BPE', vocab: {} } },
      /Hugging Face tokenizers file \("model.type": "BPE"\)/,
    ],
    ['another type', { type: 'sentencepiece' }, /"type": "sentencepiece"/],
    ['no format at all', { vocab: ['a'] }, /no "format" or "type" field \(keys: vocab\)/],
    ['a JSON array', ['a', 'b'], /found a JSON array/],
  ])(
    'refuses %s, naming the file, what it found and what it expects',
    async (_, content, found) => {
      const path = await writeScratch('tokenizer.json', JSON.stringify(content));
      const error = await loadCheckpointTokenizer(path).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Error);
      const message = (error as Error).message;
      expect(message.startsWith(`${path}: unknown tokenizer format: found `)).toBe(true);
      expect(message).toMatch(found);
      expect(message).toContain('"rag-r1-word-v2"');
      expect(message).toContain('"char-fixture"');
    },
  );

  it('names the file when it is not JSON or not there', async () => {
    const path = await writeScratch('broken.json', '{"format": "rag-r1-word-v2",');
    await expect(loadCheckpointTokenizer(path)).rejects.toThrow(
      `${path}: the tokenizer file is not JSON`,
    );
    const missing = join(scratch, 'missing.json');
    await expect(loadCheckpointTokenizer(missing)).rejects.toThrow(
      `${missing}: cannot read the tokenizer file`,
    );
  });

  it('names the file and field of a trainer tokenizer that is malformed', async () => {
    const file = JSON.parse(await readFile(TRAINER_TOKENIZER, 'utf8')) as object;
    const path = await writeScratch('bad-pattern.json', JSON.stringify({ ...file, pattern: 'x' }));
    await expect(loadCheckpointTokenizer(path)).rejects.toThrow(`${path}: pattern:`);
  });
});

describe('serving a trainer export-onnx checkpoint', () => {
  let backend: OnnxBackend;
  let app: FastifyInstance;
  let baseUrl: string;
  beforeAll(async () => {
    backend = await loadServedCheckpoint({ dir: TINY_POLICY_DIR, threads: 1 });
    app = createOpenAiServer({ backend, modelName: 'tiny-policy' }).app;
    baseUrl = `${await app.listen({ port: 0, host: '127.0.0.1' })}/v1`;
  });
  afterAll(async () => {
    await app.close();
    await backend.close();
  });

  const chat = async (prompt: string, extra: object = {}): Promise<Response> =>
    fetch(`${baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'tiny-policy',
        messages: [{ role: 'user', content: prompt }],
        max_tokens: 32,
        temperature: 0,
        stop: ['</search>', '</answer>'],
        ...extra,
      }),
    });

  it('answers each verified prompt with the tokens PyTorch chose, BOS and template included', async () => {
    const tokenizer = loadTokenizer(join(TINY_POLICY_DIR, 'tokenizer.json'));
    const vectors = await readGreedyVectors();
    expect(vectors.length).toBeGreaterThan(0);
    for (const vector of vectors) {
      const json = (await (await chat(vector.prompt)).json()) as {
        choices: Array<{
          message: { content: string };
          finish_reason: string;
          stop_reason: string;
        }>;
        usage: { prompt_tokens: number; completion_tokens: number };
      };
      const expected = tokenizer.decode(vector.continuation_ids);
      const choice = json.choices[0];
      expect(choice?.finish_reason).toBe('stop');
      expect(`${choice?.message.content}${choice?.stop_reason}`).toBe(expected);
      expect(json.usage).toEqual({
        prompt_tokens: vector.prompt_ids.length,
        completion_tokens: vector.continuation_ids.length,
        total_tokens: vector.prompt_ids.length + vector.continuation_ids.length,
      });
    }
  });

  it('streams the same answer in several content deltas', async () => {
    const [vector] = await readGreedyVectors();
    const prompt = (vector as GreedyVector).prompt;
    const whole = (await (await chat(prompt)).json()) as {
      choices: Array<{ message: { content: string } }>;
    };
    const raw = await (await chat(prompt, { stream: true })).text();
    const events = raw
      .split('\n\n')
      .filter((event) => event.startsWith('data: {'))
      .map(
        (event) =>
          JSON.parse(event.slice(6)) as { choices: Array<{ delta: { content?: string } }> },
      );
    const deltas = events.map((event) => event.choices[0]?.delta.content ?? '');
    expect(deltas.filter((delta) => delta !== '').length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe(whole.choices[0]?.message.content);
  });
});
