/**
 * A causal LM in the trainer's ONNX contract on onnxruntime-node: batched, left-padded
 * generation with a KV cache (or without one, to check the cache against full recomputation).
 */
import * as ort from 'onnxruntime-node';
import type { OnnxCheckpointConfig } from './checkpoint.ts';
import { sampleToken, type TokenSampling } from './sampling.ts';

export interface GenerationRow extends TokenSampling {
  promptIds: number[];
  maxNewTokens: number;
  random: () => number;
  /** Checked after every token; true ends the row with reason `stop`. */
  shouldStop?: (generatedIds: number[]) => boolean;
  signal?: AbortSignal;
}

export interface GenerationRowResult {
  ids: number[];
  reason: 'eos' | 'length' | 'stop' | 'cancelled';
}

interface BatchState {
  rows: GenerationRow[];
  results: GenerationRowResult[];
  done: boolean[];
  /** Per row: every token so far (prompt + generated), unpadded. */
  sequences: number[][];
  /** Rows still generating, in their order in the batch tensors. */
  active: number[];
}

export class OnnxCausalLm {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly config: OnnxCheckpointConfig,
  ) {}

  static async load(
    modelPath: string,
    config: OnnxCheckpointConfig,
    threads?: number,
  ): Promise<OnnxCausalLm> {
    const options: ort.InferenceSession.SessionOptions = threads
      ? { intraOpNumThreads: threads, interOpNumThreads: 1 }
      : {};
    return new OnnxCausalLm(await ort.InferenceSession.create(modelPath, options), config);
  }

  async close(): Promise<void> {
    await this.session.release();
  }

  /**
   * Generates for every row together. A row that finishes leaves the batch at once (its KV
   * rows are dropped, and padding no live row needs is trimmed), so one long row no longer
   * makes finished rows pay for every step it takes.
   */
  async generate(
    rows: GenerationRow[],
    options: { useCache?: boolean } = {},
  ): Promise<GenerationRowResult[]> {
    const state: BatchState = {
      rows,
      results: rows.map(() => ({ ids: [], reason: 'length' })),
      done: rows.map(() => false),
      sequences: rows.map((row) => this.fitPrompt(row)),
      active: rows.map((_, index) => index),
    };
    const maxSteps = Math.max(0, ...rows.map((row) => row.maxNewTokens));
    let past: Map<string, ort.Tensor> | null = null;
    let width = 0;
    for (let step = 0; step < maxSteps && state.active.length > 0; step += 1) {
      const useCache = (options.useCache ?? true) && past !== null;
      const feed = useCache
        ? this.decodeFeed(state, width, past as Map<string, ort.Tensor>)
        : this.prefillFeed(state);
      width = (feed.attention_mask as ort.Tensor).dims[1] as number;
      const output = await this.session.run(feed);
      past = this.presentAsPast(output);
      this.advance(state, output.logits as ort.Tensor, step);
      const live = state.active.filter((row) => !state.done[row]);
      if (live.length < state.active.length && live.length > 0) {
        ({ past, width } = this.compact(state, past, width, live));
      }
      state.active = live;
    }
    return state.results;
  }

  /**
   * The cache of the `live` rows only, without the left columns that are padding for all of
   * them. Each step's present tensors are fresh copies anyway, so this costs about one step.
   */
  private compact(
    state: BatchState,
    past: Map<string, ort.Tensor>,
    width: number,
    live: number[],
  ): { past: Map<string, ort.Tensor>; width: number } {
    const slot = new Map(state.active.map((row, index) => [row, index]));
    // Cached real tokens: everything but the token just sampled.
    const cached = live.map((row) => (state.sequences[row] as number[]).length - 1);
    const trim = width - Math.max(...cached);
    const kept = width - trim;
    const compacted = new Map<string, ort.Tensor>();
    for (const [name, tensor] of past) {
      const [, heads, , headDim] = tensor.dims as [number, number, number, number];
      const source = tensor.data as Float32Array;
      const target = new Float32Array(live.length * heads * kept * headDim);
      live.forEach((row, index) => {
        const from = slot.get(row) as number;
        for (let head = 0; head < heads; head += 1) {
          const start = ((from * heads + head) * width + trim) * headDim;
          target.set(
            source.subarray(start, start + kept * headDim),
            (index * heads + head) * kept * headDim,
          );
        }
      });
      compacted.set(name, new ort.Tensor('float32', target, [live.length, heads, kept, headDim]));
    }
    return { past: compacted, width: kept };
  }

  /** Keeps the rightmost tokens so prompt plus generation fits the position table. */
  private fitPrompt(row: GenerationRow): number[] {
    const room = Math.max(1, this.config.max_position - row.maxNewTokens);
    return row.promptIds.slice(-room);
  }

  /** The whole (left-padded) sequences of the active rows, with an empty cache. */
  private prefillFeed(state: BatchState): Record<string, ort.Tensor> {
    const sequences = state.active.map((row) => state.sequences[row] as number[]);
    const width = Math.max(...sequences.map((sequence) => sequence.length));
    const batch = sequences.length;
    const ids = new BigInt64Array(batch * width).fill(BigInt(this.config.pad_token_id));
    const mask = new BigInt64Array(batch * width);
    const positions = new BigInt64Array(batch * width);
    sequences.forEach((sequence, row) => {
      const offset = row * width + (width - sequence.length);
      sequence.forEach((id, index) => {
        ids[offset + index] = BigInt(id);
        mask[offset + index] = 1n;
        positions[offset + index] = BigInt(index);
      });
    });
    const feed: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', ids, [batch, width]),
      attention_mask: new ort.Tensor('int64', mask, [batch, width]),
      position_ids: new ort.Tensor('int64', positions, [batch, width]),
    };
    return { ...feed, ...this.emptyPast(batch) };
  }

  /** One new token per active row on top of the cache; the mask grows by one real column. */
  private decodeFeed(
    state: BatchState,
    pastWidth: number,
    past: Map<string, ort.Tensor>,
  ): Record<string, ort.Tensor> {
    const sequences = state.active.map((row) => state.sequences[row] as number[]);
    const batch = sequences.length;
    const width = pastWidth + 1;
    const ids = new BigInt64Array(batch);
    const positions = new BigInt64Array(batch);
    const mask = new BigInt64Array(batch * width);
    sequences.forEach((sequence, row) => {
      ids[row] = BigInt(sequence.at(-1) as number);
      positions[row] = BigInt(sequence.length - 1);
      // Real tokens are right-aligned: the last `sequence.length` columns.
      mask.fill(1n, row * width + (width - sequence.length), (row + 1) * width);
    });
    const feed: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', ids, [batch, 1]),
      attention_mask: new ort.Tensor('int64', mask, [batch, width]),
      position_ids: new ort.Tensor('int64', positions, [batch, 1]),
    };
    for (const [name, tensor] of past) feed[name] = tensor;
    return feed;
  }

  private emptyPast(batch: number): Record<string, ort.Tensor> {
    const feed: Record<string, ort.Tensor> = {};
    const dims = [batch, this.config.n_head, 0, this.config.head_dim];
    for (let layer = 0; layer < this.config.n_layer; layer += 1) {
      feed[`past_key_values.${layer}.key`] = new ort.Tensor('float32', new Float32Array(0), dims);
      feed[`past_key_values.${layer}.value`] = new ort.Tensor('float32', new Float32Array(0), dims);
    }
    return feed;
  }

  private presentAsPast(output: ort.InferenceSession.OnnxValueMapType): Map<string, ort.Tensor> {
    const past = new Map<string, ort.Tensor>();
    for (let layer = 0; layer < this.config.n_layer; layer += 1) {
      past.set(`past_key_values.${layer}.key`, output[`present.${layer}.key`] as ort.Tensor);
      past.set(`past_key_values.${layer}.value`, output[`present.${layer}.value`] as ort.Tensor);
    }
    return past;
  }

  /** Samples each active row's next token from its last position and applies its stop rules. */
  private advance(state: BatchState, logits: ort.Tensor, step: number): void {
    const [, seq, vocab] = logits.dims as [number, number, number];
    const data = logits.data as Float32Array;
    state.active.forEach((row, index) => {
      const generation = state.rows[row] as GenerationRow;
      const result = state.results[row] as GenerationRowResult;
      const offset = (index * seq + seq - 1) * vocab;
      const token = sampleToken(
        data.subarray(offset, offset + vocab),
        generation,
        generation.random,
      );
      (state.sequences[row] as number[]).push(token);
      const reason = this.rowFinish(generation, result, token, step);
      if (reason) {
        result.reason = reason;
        state.done[row] = true;
      }
    });
  }

  private rowFinish(
    row: GenerationRow,
    result: GenerationRowResult,
    token: number,
    step: number,
  ): GenerationRowResult['reason'] | null {
    if (row.signal?.aborted) return 'cancelled';
    if (token === this.config.eos_token_id) return 'eos';
    result.ids.push(token);
    if (row.shouldStop?.(result.ids)) return 'stop';
    return step + 1 >= row.maxNewTokens ? 'length' : null;
  }
}
