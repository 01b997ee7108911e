import { describe, expect, it } from 'vitest';
import { RagR1ConfigSchema } from '../../lib/rag-r1/config.ts';
import { SftTrainerConfigSchema } from '../../lib/rag-r1/trainer-config.ts';
import { cpuThreads } from '../trainer/trainer-artifacts.ts';
import { sftTrainerConfig } from './sft-train-stage.ts';

const files = { trainFile: 't.jsonl', tokenizer: 'tok.json', outputDir: 'out' };

describe('sftTrainerConfig', () => {
  it('sends the recipe shapes, lengths and every training setting, on this machine threads', () => {
    const sft = RagR1ConfigSchema.parse({
      agent: { maxContextTokens: 896 },
      sft: { seqLen: 768, model: { maxPosition: 896, layers: 2 }, warmupSteps: 7, bf16: false },
    }).sft;
    const trainer = sftTrainerConfig(sft, files);
    expect(SftTrainerConfigSchema.parse(trainer)).toEqual(trainer);
    expect(trainer).toMatchObject({
      seq_len: 768,
      model: { n_layer: 2, max_position: 896, positions: 'rotary' },
      epochs: sft.epochs,
      warmup_steps: 7,
      bf16: false,
      keep_last: sft.keepCheckpoints,
      threads: cpuThreads(),
    });
    expect(trainer).not.toHaveProperty('preset');
    expect(trainer).not.toHaveProperty('eval_file');
    expect(sftTrainerConfig(sft, { ...files, evalFile: 'v.jsonl' })).toHaveProperty(
      'eval_file',
      'v.jsonl',
    );
  });
});
