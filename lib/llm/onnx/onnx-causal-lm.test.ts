import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerateRequest } from '../backend.ts';
import { loadCharTokenizer } from './char-tokenizer.ts';
import { CHECKPOINT_FILES, loadCheckpointConfig, type CausalTokenizer } from './checkpoint.ts';
import { loadOnnxBackend, type OnnxBackend } from './onnx-backend.ts';
import { OnnxCausalLm, type GenerationRow } from './onnx-causal-lm.ts';
import { createSeededRandom } from '../../random.ts';
import { sampleToken } from './sampling.ts';

const DIR = join(import.meta.dirname, 'fixtures', 'tiny-char');
let model: OnnxCausalLm;
let tokenizer: CausalTokenizer;
let backend: OnnxBackend;

beforeAll(async () => {
  const config = await loadCheckpointConfig(DIR);
  model = await OnnxCausalLm.load(join(DIR, CHECKPOINT_FILES.model), config, 1);
  tokenizer = await loadCharTokenizer(join(DIR, CHECKPOINT_FILES.tokenizer));
  backend = await loadOnnxBackend({ dir: DIR, loadTokenizer: loadCharTokenizer, threads: 1 });
});
afterAll(async () => {
  await model.close();
  await backend.close();
});

const PROMPTS = ['Question: who wrote it?', 'a', 'The capital of Australia is'];
const greedyRow = (prompt: string, maxNewTokens = 24): GenerationRow => ({
  promptIds: tokenizer.encode(prompt),
  maxNewTokens,
  temperature: 0,
  topP: 1,
  random: createSeededRandom(1),
});

describe('OnnxCausalLm', () => {
  it('decodes greedily the same in a left-padded batch as one by one', async () => {
    const single = [];
    for (const prompt of PROMPTS) single.push((await model.generate([greedyRow(prompt)]))[0]);
    const batched = await model.generate(PROMPTS.map((prompt) => greedyRow(prompt)));
    expect(batched).toEqual(single);
    expect(new Set(single.map((result) => result?.ids.join(','))).size).toBe(3);
  });

  it('gives each row the same tokens when rows leave the batch at different steps', async () => {
    // The longest prompt stops first, so the cache is both shrunk and trimmed on the left.
    const lengths = [20, 3, 9];
    const rows = () => PROMPTS.map((prompt, index) => greedyRow(prompt, lengths[index]));
    const alone = [];
    for (const row of rows()) alone.push((await model.generate([row]))[0]);
    const together = await model.generate(rows());
    expect(together).toEqual(alone);
    expect(together.map((result) => result.ids.length)).toEqual(lengths);
  });

  it('gives the same tokens with the KV cache as with full recomputation', async () => {
    const rows = () => PROMPTS.map((prompt) => greedyRow(prompt, 16));
    const cached = await model.generate(rows(), { useCache: true });
    const recomputed = await model.generate(rows(), { useCache: false });
    expect(cached).toEqual(recomputed);
    expect(cached.every((result) => result.ids.length === 16 && result.reason === 'length')).toBe(
      true,
    );
  });

  it('replays sampled generations from the same seed', async () => {
    const sampled = (seed: number) =>
      model.generate([
        { ...greedyRow('hello', 20), temperature: 1, topP: 0.9, random: createSeededRandom(seed) },
      ]);
    expect(await sampled(5)).toEqual(await sampled(5));
    expect((await sampled(5))[0]?.ids).not.toEqual((await sampled(6))[0]?.ids);
  });
});

describe('sampleToken', () => {
  const logits = new Float32Array([0, 5, 1, 4.9]);
  it('is argmax at temperature 0 and with a tiny top-p', () => {
    expect(sampleToken(logits, { temperature: 0, topP: 1 }, Math.random)).toBe(1);
    for (let trial = 0; trial < 20; trial += 1) {
      expect(sampleToken(logits, { temperature: 1, topP: 1e-6 }, Math.random)).toBe(1);
    }
  });
  it('only draws from the nucleus', () => {
    const drawn = new Set<number>();
    const random = createSeededRandom(3);
    for (let trial = 0; trial < 200; trial += 1)
      drawn.add(sampleToken(logits, { temperature: 1, topP: 0.9 }, random));
    expect([...drawn].sort()).toEqual([1, 3]);
  });
});

const request = (prefix: string, stop: string[] = [], signal?: AbortSignal): GenerateRequest => ({
  messages: [],
  assistantPrefix: prefix,
  sampling: { temperature: 0, topP: 1, maxTokens: 30, stop },
  ...(signal ? { signal } : {}),
});

describe('OnnxBackend', () => {
  it('stops after the first stop string and keeps it', async () => {
    const free = await backend.generate(request('Question: who?'));
    expect(free.finishReason).toBe('length');
    const stop = free.text.slice(6, 8);
    const first = free.text.indexOf(stop) + stop.length;
    const stopped = await backend.generate(request('Question: who?', [stop]));
    expect(stopped).toMatchObject({ text: free.text.slice(0, first), finishReason: 'stop' });
    expect(stopped.usage.promptTokens).toBe('Question: who?'.length);
  });

  it('batches concurrent requests without changing their results', async () => {
    const alone = [];
    for (const prompt of PROMPTS) alone.push((await backend.generate(request(prompt))).text);
    const together = await Promise.all(PROMPTS.map((prompt) => backend.generate(request(prompt))));
    expect(together.map((result) => result.text)).toEqual(alone);
  });

  it('rejects a cancelled request', async () => {
    const controller = new AbortController();
    const pending = backend.generate(request('abc', [], controller.signal));
    controller.abort();
    await expect(pending).rejects.toThrow(/abort/i);
  });
});
