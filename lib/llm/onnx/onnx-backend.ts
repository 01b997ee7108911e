/**
 * LlmBackend on a local ONNX checkpoint (CPU workers, small policies). Concurrent generate()
 * calls are gathered into batches: while one batch runs, new requests queue for the next.
 */
import { join } from 'node:path';
import { abortReason } from '../abortable-sleep.ts';
import type { GenerateRequest, GenerateResult, LlmBackend } from '../backend.ts';
import { CHATML_TEMPLATE, type ChatTemplate } from '../chat-template.ts';
import { cutAtStop } from '../stop-sequences.ts';
import { CHECKPOINT_FILES, loadCheckpointConfig, type CausalTokenizer } from './checkpoint.ts';
import { OnnxCausalLm, type GenerationRow, type GenerationRowResult } from './onnx-causal-lm.ts';
import { createSeededRandom } from '../../random.ts';

export interface OnnxBackendOptions {
  model: OnnxCausalLm;
  tokenizer: CausalTokenizer;
  id?: string;
  chatTemplate?: ChatTemplate;
  /** Most requests run together in one batch (default 16). */
  maxBatchSize?: number;
}

export interface LoadOnnxBackendOptions extends Omit<OnnxBackendOptions, 'model' | 'tokenizer'> {
  /** A checkpoint directory: model.onnx, tokenizer.json, config.json. */
  dir: string;
  /** Reads tokenizer.json; pass lib/tokenizer's loadTokenizer for trainer checkpoints. */
  loadTokenizer: (path: string) => CausalTokenizer | Promise<CausalTokenizer>;
  threads?: number;
}

interface Pending {
  request: GenerateRequest;
  promptIds: number[];
  resolve: (result: GenerateResult) => void;
  reject: (error: unknown) => void;
}

/**
 * The trainer puts BOS before every prompt it trains and rolls out on (`encode_chat`), and
 * config.json names it: without it here, evaluation scored the tiny policy on prompts it
 * never saw in training. A prompt that already starts with BOS keeps just that one.
 */
function withBos(tokenizer: CausalTokenizer, bosId: number): CausalTokenizer {
  return {
    encode: (text) => {
      const ids = tokenizer.encode(text);
      return ids[0] === bosId ? ids : [bosId, ...ids];
    },
    decode: (ids) => tokenizer.decode(ids),
  };
}

/** Opens a trainer-exported checkpoint directory as a backend (BOS as its config.json says). */
export async function loadOnnxBackend(options: LoadOnnxBackendOptions): Promise<OnnxBackend> {
  const config = await loadCheckpointConfig(options.dir);
  const model = await OnnxCausalLm.load(
    join(options.dir, CHECKPOINT_FILES.model),
    config,
    options.threads,
  );
  const loaded = await options.loadTokenizer(join(options.dir, CHECKPOINT_FILES.tokenizer));
  const tokenizer =
    config.bos_token_id === undefined ? loaded : withBos(loaded, config.bos_token_id);
  return new OnnxBackend({ ...options, model, tokenizer, id: options.id ?? `onnx:${options.dir}` });
}

export class OnnxBackend implements LlmBackend {
  readonly id: string;
  private readonly queue: Pending[] = [];
  private isRunning = false;

  constructor(private readonly options: OnnxBackendOptions) {
    this.id = options.id ?? 'onnx';
  }

  generate(request: GenerateRequest): Promise<GenerateResult> {
    if (request.signal?.aborted) return Promise.reject(abortReason(request.signal));
    const template = this.options.chatTemplate ?? CHATML_TEMPLATE;
    const promptIds = this.options.tokenizer.encode(
      template(request.messages, request.assistantPrefix),
    );
    return new Promise((resolve, reject) => {
      this.queue.push({ request, promptIds, resolve, reject });
      void this.pump();
    });
  }

  async close(): Promise<void> {
    await this.options.model.close();
  }

  private async pump(): Promise<void> {
    if (this.isRunning) return;
    this.isRunning = true;
    try {
      // Requests made in the same tick (a server's n choices, a Promise.all) share one batch,
      // instead of the first running alone while the rest wait for it.
      await Promise.resolve();
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.options.maxBatchSize ?? 16);
        await this.runBatch(batch);
      }
    } finally {
      this.isRunning = false;
    }
  }

  private async runBatch(batch: Pending[]): Promise<void> {
    const live = batch.filter((pending) => {
      if (!pending.request.signal?.aborted) return true;
      pending.reject(abortReason(pending.request.signal));
      return false;
    });
    if (live.length === 0) return;
    try {
      const results = await this.options.model.generate(live.map((pending) => this.toRow(pending)));
      live.forEach((pending, index) => this.settle(pending, results[index] as GenerationRowResult));
    } catch (error) {
      for (const pending of live) pending.reject(error);
    }
  }

  private toRow(pending: Pending): GenerationRow {
    const { sampling, signal } = pending.request;
    const seed = sampling.seed ?? Math.floor(Math.random() * 2 ** 32);
    return {
      promptIds: pending.promptIds,
      maxNewTokens: sampling.maxTokens,
      temperature: sampling.temperature,
      topP: sampling.topP,
      random: createSeededRandom(seed),
      ...(signal ? { signal } : {}),
      ...(sampling.stop.length > 0
        ? {
            shouldStop: (ids: number[]) =>
              cutAtStop(this.options.tokenizer.decode(ids.slice(-64)), sampling.stop) !== null,
          }
        : {}),
    };
  }

  private settle(pending: Pending, result: GenerationRowResult): void {
    const { request } = pending;
    if (result.reason === 'cancelled') {
      pending.reject(abortReason(request.signal as AbortSignal));
      return;
    }
    const text = this.options.tokenizer.decode(result.ids);
    const cut = cutAtStop(text, request.sampling.stop);
    pending.resolve({
      text: cut ? cut.text : text,
      finishReason: cut ? 'stop' : result.reason === 'stop' ? 'stop' : result.reason,
      usage: { promptTokens: pending.promptIds.length, completionTokens: result.ids.length },
    });
  }
}
