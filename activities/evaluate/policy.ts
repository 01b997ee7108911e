import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { tokenCounterFromTokenizer, type TokenCounter } from '../../lib/agent/token-counter.ts';
import type { LlmBackend } from '../../lib/llm/backend.ts';
import { CHATML_TEMPLATE, TINY_POLICY_TEMPLATE } from '../../lib/llm/chat-template.ts';
import { loadCharTokenizer } from '../../lib/llm/onnx/char-tokenizer.ts';
import { CHECKPOINT_FILES, type CausalTokenizer } from '../../lib/llm/onnx/checkpoint.ts';
import { loadOnnxBackend } from '../../lib/llm/onnx/onnx-backend.ts';
import { OpenAiHttpBackend } from '../../lib/llm/openai-http.ts';
import { ConfigError } from '../../lib/errors.ts';
import { hashJson, sha256Hex } from '../../lib/hash.ts';
import { loadEnv } from '../../lib/env.ts';
import { loadTokenizer } from '../../lib/tokenizer/tokenizer.ts';
import { openServedHfModel } from '../trainer/hf-models.ts';

/** An OpenAI-compatible endpoint serving the checkpoint (vLLM, SGLang, `serving/`). */
export const PolicyEndpointSchema = z
  .object({
    kind: z.literal('openai'),
    baseUrl: z.string().url(),
    model: z.string().min(1),
    apiKeyEnv: z.string().optional().describe('environment variable holding the API key'),
    concurrency: z.number().int().positive().default(32),
  })
  .strict();
export type PolicyEndpoint = z.infer<typeof PolicyEndpointSchema>;

/** A policy ready to answer: the backend, its tokenizer's counter and its model-family hash. */
export interface OpenedPolicy {
  backend: LlmBackend;
  /** Model family (architecture + tokenizer), the stamp's `model`; not the trained weights. */
  modelSha: string;
  tokenCounter?: TokenCounter;
}

async function openTokenizer(
  path: string,
): Promise<{ tokenizer: CausalTokenizer; isTinyPolicy: boolean }> {
  const head = JSON.parse(await readFile(path, 'utf8')) as { type?: string; format?: string };
  if (head.type === 'char-fixture')
    return { tokenizer: await loadCharTokenizer(path), isTinyPolicy: false };
  const tokenizer = loadTokenizer(path);
  return {
    tokenizer: {
      encode: (text) => tokenizer.encode(text),
      decode: (ids) => tokenizer.decode(ids, { skipSpecialTokens: true }),
    },
    isTinyPolicy: true,
  };
}

/**
 * Opens an unpacked trainer checkpoint directory (model.onnx, tokenizer.json, config.json) on
 * the ONNX backend. Trainer tokenizers get the tiny policy's chat layout; the char fixture
 * keeps ChatML.
 */
export async function openOnnxPolicy(
  dir: string,
  options: { threads?: number; id?: string } = {},
): Promise<OpenedPolicy> {
  const tokenizerPath = join(dir, CHECKPOINT_FILES.tokenizer);
  const { tokenizer, isTinyPolicy } = await openTokenizer(tokenizerPath);
  const backend = await loadOnnxBackend({
    dir,
    loadTokenizer: () => tokenizer,
    threads: options.threads ?? 1,
    chatTemplate: isTinyPolicy ? TINY_POLICY_TEMPLATE : CHATML_TEMPLATE,
    ...(options.id ? { id: options.id } : {}),
  });
  // The prompt layout is part of the family: answers from before the backend put BOS first
  // (as the trainer does) are neither reused from the cache nor compared with later ones.
  const family = Buffer.concat([
    await readFile(join(dir, CHECKPOINT_FILES.config)),
    await readFile(tokenizerPath),
    Buffer.from('prompt: config bos_token_id first'),
  ]);
  return {
    backend,
    modelSha: sha256Hex(family),
    tokenCounter: tokenCounterFromTokenizer(tokenizer),
  };
}

/** An HF checkpoint's family: architecture, tokenizer, chat template, and its base model's hash. */
const HF_FAMILY_FILES = [
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'chat_template.jinja',
];

/**
 * Opens an unpacked HF checkpoint (a save_pretrained directory) behind the trainer's own
 * OpenAI-compatible server (`serve`, batched generation on this machine), driven through the
 * same HTTP backend as a remote endpoint; closing the backend stops the server. The server
 * renders the checkpoint's chat template (`api: chat`, the episode continued with
 * `continue_final_message`), so prompts are exactly what SFT trained on.
 */
export async function openHfPolicy(
  dir: string,
  options: {
    threads?: number;
    id: string;
    workDir: string;
    device?: 'auto' | 'cpu' | 'cuda';
    keepAlive: () => void;
  },
): Promise<OpenedPolicy> {
  const backend = await openServedHfModel(dir, { ...options, threads: options.threads ?? 1 });
  const family: Buffer[] = [];
  for (const name of HF_FAMILY_FILES) {
    family.push(await readFile(join(dir, name)).catch(() => Buffer.from(`no ${name}`)));
  }
  const record = JSON.parse(await readFile(join(dir, 'rag_r1.json'), 'utf8')) as {
    base_model?: { sha256?: string };
  };
  family.push(Buffer.from(`base ${record.base_model?.sha256 ?? 'unknown'}`));
  return { backend, modelSha: sha256Hex(Buffer.concat(family)) };
}

/** Opens an OpenAI-compatible endpoint as the policy; the model name is its family identity. */
export function openEndpointPolicy(endpoint: PolicyEndpoint): OpenedPolicy {
  const apiKey = endpoint.apiKeyEnv ? loadEnv()[endpoint.apiKeyEnv] : undefined;
  if (endpoint.apiKeyEnv && typeof apiKey !== 'string') {
    throw new ConfigError(`endpoint.apiKeyEnv: ${endpoint.apiKeyEnv} is not set`);
  }
  const backend = new OpenAiHttpBackend({
    baseUrl: endpoint.baseUrl,
    model: endpoint.model,
    maxConcurrency: endpoint.concurrency,
    ...(typeof apiKey === 'string' ? { apiKey } : {}),
  });
  return { backend, modelSha: hashJson({ endpointModel: endpoint.model }) };
}
