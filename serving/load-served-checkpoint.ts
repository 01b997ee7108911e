/**
 * Opens a checkpoint directory from the trainer's `export-onnx` (model.onnx, tokenizer.json,
 * config.json) as the backend `serving/main.ts` serves, prompted the way the trainer prompts.
 */
import { join } from 'node:path';
import { CHATML_TEMPLATE, TINY_POLICY_TEMPLATE } from '../lib/llm/chat-template.ts';
import { CHECKPOINT_FILES, loadCheckpointConfig } from '../lib/llm/onnx/checkpoint.ts';

import { loadOnnxBackend, type OnnxBackend } from '../lib/llm/onnx/onnx-backend.ts';
import { loadCheckpointTokenizer } from './load-checkpoint-tokenizer.ts';

/** `auto`: the tiny policy's layout for trainer tokenizers, ChatML for the char fixture. */
export type ServedTemplate = 'auto' | 'chatml' | 'tiny';

export interface LoadServedCheckpointOptions {
  dir: string;
  template?: ServedTemplate;
  threads?: number;
  maxBatchSize?: number;
}

/** Reads the tokenizer before the model, so a bad tokenizer.json fails before any loading. */
export async function loadServedCheckpoint(
  options: LoadServedCheckpointOptions,
): Promise<OnnxBackend> {
  await loadCheckpointConfig(options.dir);
  const { kind, tokenizer } = await loadCheckpointTokenizer(
    join(options.dir, CHECKPOINT_FILES.tokenizer),
  );
  const template = options.template ?? 'auto';
  const isTiny = template === 'tiny' || (template === 'auto' && kind === 'rag-r1-word');
  return loadOnnxBackend({
    dir: options.dir,
    loadTokenizer: () => tokenizer,
    chatTemplate: isTiny ? TINY_POLICY_TEMPLATE : CHATML_TEMPLATE,
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(options.maxBatchSize === undefined ? {} : { maxBatchSize: options.maxBatchSize }),
    id: `onnx:${options.dir}`,
  });
}
