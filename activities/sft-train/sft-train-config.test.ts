import { describe, expect, it } from 'vitest';
import { RagR1ConfigSchema } from '../../lib/rag-r1/config.ts';
import { sftTrainerConfig } from './sft-train-stage.ts';

const files = { trainFile: 't.jsonl', tokenizer: 'tok.json', outputDir: 'out' };

describe('sftTrainerConfig', () => {
  it('passes the recipe row length and context length instead of the trainer preset ones', () => {
    const sft = RagR1ConfigSchema.parse({
      sft: { seqLen: 768, model: { maxPosition: 896, layers: 2 } },
    }).sft;
    const trainer = sftTrainerConfig(sft, files);
    expect(trainer).toMatchObject({
      seq_len: 768,
      model: { n_layer: 2, max_position: 896 },
      epochs: sft.epochs,
    });
    expect(trainer).not.toHaveProperty('eval_file');
    expect(sftTrainerConfig(sft, { ...files, evalFile: 'v.jsonl' })).toHaveProperty(
      'eval_file',
      'v.jsonl',
    );
  });
});
