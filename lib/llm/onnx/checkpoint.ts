/**
 * The ONNX checkpoint directory the trainer exports (contract agreed with trainer/):
 * `model.onnx`, `tokenizer.json`, `config.json`. See fixtures/make_tiny_model.py for the
 * exact graph inputs and outputs.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../errors.ts';

export const OnnxCheckpointConfigSchema = z
  .object({
    vocab_size: z.number().int().positive(),
    n_layer: z.number().int().positive(),
    n_head: z.number().int().positive(),
    n_embd: z.number().int().positive().describe('d_model'),
    head_dim: z.number().int().positive(),
    max_position: z.number().int().positive(),
    eos_token_id: z.number().int().min(0),
    pad_token_id: z.number().int().min(0),
    bos_token_id: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('prepended to every prompt when set (the tiny policy uses one)'),
  })
  .loose();
export type OnnxCheckpointConfig = z.infer<typeof OnnxCheckpointConfigSchema>;

/** The subset of the project tokenizer (lib/tokenizer) generation needs. */
export interface CausalTokenizer {
  encode(text: string): number[];
  decode(ids: number[]): string;
}

export const CHECKPOINT_FILES = {
  model: 'model.onnx',
  tokenizer: 'tokenizer.json',
  config: 'config.json',
} as const;

/** Reads and validates `config.json`; errors name the file and field. */
export async function loadCheckpointConfig(dir: string): Promise<OnnxCheckpointConfig> {
  const path = join(dir, CHECKPOINT_FILES.config);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${path}: cannot read checkpoint config`, { cause: error });
  }
  const parsed = OnnxCheckpointConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${path}: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return parsed.data;
}
