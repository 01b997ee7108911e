/** The full local path: HTTP backend -> serving/ server -> ONNX checkpoint, then a rollout over it. */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RolloutConfigSchema } from '../lib/agent/config.ts';
import { runRollout } from '../lib/agent/rollout.ts';
import { responseText } from '../lib/agent/trajectory.ts';
import type { GenerateRequest } from '../lib/llm/backend.ts';
import { loadCharTokenizer } from '../lib/llm/onnx/char-tokenizer.ts';
import { loadOnnxBackend, type OnnxBackend } from '../lib/llm/onnx/onnx-backend.ts';
import { OpenAiHttpBackend } from '../lib/llm/openai-http.ts';
import { createOpenAiServer } from './openai-server.ts';

const DIR = join(import.meta.dirname, '..', 'lib', 'llm', 'onnx', 'fixtures', 'tiny-char');
let local: OnnxBackend;
let app: FastifyInstance;
let http: OpenAiHttpBackend;

beforeAll(async () => {
  local = await loadOnnxBackend({ dir: DIR, loadTokenizer: loadCharTokenizer, threads: 1 });
  app = createOpenAiServer({ backend: local, modelName: 'tiny-char' }).app;
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  http = new OpenAiHttpBackend({ baseUrl: `${address}/v1`, model: 'tiny-char' });
});
afterAll(async () => {
  await app.close();
  await local.close();
});

const request = (api: 'chat' | 'completions'): GenerateRequest => ({
  messages: [{ role: 'user', content: 'Question: who?' }],
  assistantPrefix: api === 'chat' ? '<think>' : '',
  sampling: { temperature: 0, topP: 1, maxTokens: 20, stop: [] },
});

describe('serving an ONNX checkpoint', () => {
  it('answers over HTTP exactly what the local backend generates', async () => {
    const direct = await local.generate(request('completions'));
    const served = await http.generate(request('completions'));
    expect(served.text).toBe(direct.text);
    expect(served.usage).toEqual(direct.usage);
    expect(served.finishReason).toBe('length');
  });

  it('runs a whole rollout through the server', async () => {
    const trajectory = await runRollout({
      question: { id: 'q', question: 'Who wrote Hamlet?' },
      mode: 'mq',
      backend: http,
      retriever: { id: 'none', retrieve: async (queries) => queries.map(() => []) },
      config: RolloutConfigSchema.parse({ maxTurns: 1, maxTokensPerTurn: 12, temperature: 0 }),
    });
    expect(trajectory.turns).toHaveLength(2);
    expect(trajectory.finishReason).toBe('invalid');
    expect(responseText(trajectory).length).toBeGreaterThan(12);
    expect(trajectory.usage.completionTokens).toBe(24);
  });
});
