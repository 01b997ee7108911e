import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import * as ort from 'onnxruntime-node';
import { z } from 'zod';
import { ConfigError } from '../../lib/errors.ts';

/**
 * How a local model directory is used: `model.onnx` (output `last_hidden_state`),
 * `tokenizer.json` + `tokenizer_config.json`, and this `encoder.json`. e5 wants the prefixes
 * `query: `/`passage: ` and mean pooling; bge wants CLS pooling and its query instruction.
 */
export const EncoderConfigSchema = z
  .object({
    pooling: z.enum(['mean', 'cls']).default('mean'),
    normalize: z.boolean().default(true).describe('L2-normalize, so inner product = cosine'),
    maxLength: z
      .number()
      .int()
      .positive()
      .default(256)
      .describe('tokens per text, specials included'),
    queryPrefix: z.string().default('').describe("e.g. 'query: ' (e5)"),
    passagePrefix: z.string().default('').describe("e.g. 'passage: ' (e5)"),
    batchSize: z.number().int().positive().default(32),
  })
  .strict();
export type EncoderConfig = z.infer<typeof EncoderConfigSchema>;

export interface TextEncoder {
  readonly dimension: number;
  readonly config: EncoderConfig;
  /** Row-major `texts.length x dimension` embeddings. */
  encode(texts: string[], kind: 'query' | 'passage'): Promise<Float32Array>;
  close(): Promise<void>;
}

function readJson(path: string): unknown {
  if (!existsSync(path)) throw new ConfigError(`encoder model directory: missing ${path}`);
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Loads an ONNX sentence encoder from a local directory; nothing is fetched from a hub. */
export async function loadEncoder(
  modelDir: string,
  overrides: Partial<EncoderConfig> = {},
): Promise<TextEncoder> {
  const configPath = join(modelDir, 'encoder.json');
  const fileConfig = existsSync(configPath) ? readJson(configPath) : {};
  const config = EncoderConfigSchema.parse({ ...(fileConfig as object), ...overrides });
  const tokenizer = new Tokenizer(
    readJson(join(modelDir, 'tokenizer.json')) as object,
    readJson(join(modelDir, 'tokenizer_config.json')) as object,
  );
  const modelPath = join(modelDir, 'model.onnx');
  if (!existsSync(modelPath))
    throw new ConfigError(`encoder model directory: missing ${modelPath}`);
  // Idle intra-op threads of this session would spin while the scan that follows each query
  // batch runs on its own pool: measured, a 1-query dense call took 24-26 ms with spinning
  // and 20-21 ms without (100k x 384 float16, 2 cores).
  const session = await ort.InferenceSession.create(modelPath, {
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
  const inputNames = new Set(session.inputNames);
  let dimension = 0;

  async function encodeRows(rows: number[][]): Promise<Float32Array> {
    const width = Math.max(...rows.map((r) => r.length));
    const ids = new BigInt64Array(rows.length * width);
    const mask = new BigInt64Array(rows.length * width);
    rows.forEach((row, r) =>
      row.forEach((id, c) => {
        ids[r * width + c] = BigInt(id);
        mask[r * width + c] = 1n;
      }),
    );
    const dims = [rows.length, width];
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', ids, dims),
      attention_mask: new ort.Tensor('int64', mask, dims),
    };
    if (inputNames.has('token_type_ids'))
      feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(ids.length), dims);
    const outputs = await session.run(feeds);
    const output = outputs.last_hidden_state ?? Object.values(outputs)[0]!;
    const hidden = output.data as Float32Array;
    dimension = output.dims[2] as number;
    return pool(hidden, mask, rows.length, width, dimension, config);
  }

  return {
    get dimension() {
      return dimension;
    },
    config,
    async encode(texts, kind) {
      const prefix = kind === 'query' ? config.queryPrefix : config.passagePrefix;
      const rows = texts.map((text) =>
        truncate(tokenizer.encode(prefix + text).ids, config.maxLength),
      );
      // Batches of similar lengths: a batch is padded to its longest text, and merged search
      // calls bring questions of every length together.
      const order = rows.map((_, index) => index).sort((a, b) => rows[a]!.length - rows[b]!.length);
      let out = new Float32Array(0);
      for (let start = 0; start < order.length; start += config.batchSize) {
        const batch = order.slice(start, start + config.batchSize);
        const pooled = await encodeRows(batch.map((index) => rows[index]!));
        if (out.length === 0) out = new Float32Array(texts.length * dimension);
        batch.forEach((index, r) =>
          out.set(pooled.subarray(r * dimension, (r + 1) * dimension), index * dimension),
        );
      }
      return out;
    },
    close: async () => session.release(),
  };
}

/** Keeps the final special token ([SEP]) when cutting a too-long sequence. */
function truncate(ids: number[], maxLength: number): number[] {
  if (ids.length <= maxLength) return ids;
  return [...ids.slice(0, maxLength - 1), ids[ids.length - 1]!];
}

function pool(
  hidden: Float32Array,
  mask: BigInt64Array,
  batch: number,
  width: number,
  dimension: number,
  config: EncoderConfig,
): Float32Array {
  const out = new Float32Array(batch * dimension);
  for (let r = 0; r < batch; r += 1) {
    const row = out.subarray(r * dimension, (r + 1) * dimension);
    let count = 0;
    const lastToken = config.pooling === 'cls' ? 1 : width;
    for (let t = 0; t < lastToken; t += 1) {
      if (mask[r * width + t] === 0n) continue;
      count += 1;
      const base = (r * width + t) * dimension;
      for (let d = 0; d < dimension; d += 1) row[d]! += hidden[base + d]!;
    }
    let norm = 0;
    for (let d = 0; d < dimension; d += 1) {
      row[d]! /= Math.max(count, 1);
      norm += row[d]! * row[d]!;
    }
    if (config.normalize && norm > 0) {
      const scale = 1 / Math.sqrt(norm);
      for (let d = 0; d < dimension; d += 1) row[d]! *= scale;
    }
  }
  return out;
}
