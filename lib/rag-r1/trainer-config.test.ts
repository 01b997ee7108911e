import { describe, expect, it } from 'vitest';
import { ENVIRONMENT } from '../agent/environment.ts';
import { RagR1ConfigSchema } from './config.ts';
import { RAG_R1_PRESETS } from './presets.ts';
import {
  buildPpoTrainerConfig,
  buildSftTrainerConfig,
  PpoTrainerConfigSchema,
  SftTrainerConfigSchema,
} from './trainer-config.ts';

const runtime = { outputDir: 'out', threads: 2 };
const ppoFiles = {
  ...runtime,
  trainFile: 'q.jsonl',
  policyCheckpoint: 'sft',
  retrieverUrl: 'http://127.0.0.1:1/retrieve',
};

describe('trainer configs from the recipe', () => {
  for (const name of Object.keys(RAG_R1_PRESETS)) {
    it(`maps the ${name} preset to configs its schemas accept`, () => {
      const config = RagR1ConfigSchema.parse(RAG_R1_PRESETS[name]);
      // The paper presets leave the weights directory to the user (missingForPaperRun).
      if (config.sft.model.kind === 'hf') config.sft.model.path ??= '/models/qwen2.5-7b-instruct';
      const sft = buildSftTrainerConfig(config.sft, { ...runtime, trainFile: 't', tokenizer: 'k' });
      const ppo = buildPpoTrainerConfig(config, ppoFiles);
      expect(SftTrainerConfigSchema.parse(sft)).toEqual(sft);
      expect(PpoTrainerConfigSchema.parse(ppo)).toEqual(ppo);
    });
  }

  it('renames fields in one place and chooses nothing by device', () => {
    const base = RagR1ConfigSchema.parse(RAG_R1_PRESETS['rag-r1-mq']);
    const ppo = buildPpoTrainerConfig(base, ppoFiles);
    expect(ppo).toMatchObject({
      lam: base.ppo.lambda,
      clip_ratio: base.ppo.clip,
      total_steps: 500,
      ppo_epochs: 1,
      micro_batch_size: 32,
      actor_warmup_ratio: 0.285,
      critic_warmup_ratio: 0.015,
      max_prompt_length: 8192,
      max_start_length: 2048,
      max_response_length: 500,
      mode: 'mq',
      algorithm: 'ppo',
      environment: ENVIRONMENT,
    });
    const onCpu = { ...base, ppo: { ...base.ppo, device: 'cpu' as const } };
    const { device: _cuda, ...rest } = ppo;
    const { device: _cpu, ...restOnCpu } = buildPpoTrainerConfig(onCpu, ppoFiles);
    expect(restOnCpu).toEqual(rest);
  });

  it('never sends a key the trainer schema does not declare', () => {
    const tiny = RagR1ConfigSchema.parse({});
    const ppo = buildPpoTrainerConfig(tiny, ppoFiles);
    expect(PpoTrainerConfigSchema.strict().safeParse({ ...ppo, preset: 'tiny' }).success).toBe(
      false,
    );
    expect(Object.keys(ppo).sort()).toEqual(
      Object.keys(PpoTrainerConfigSchema.shape)
        .filter((key) => !['critic_checkpoint', 'log_every'].includes(key))
        .sort(),
    );
  });

  it('sends an HF model with its LoRA settings and no tokenizer, and refuses LoRA on the tiny model', () => {
    const lora = { r: 8, alpha: 16, dropout: 0, targetModules: ['q_proj'] };
    const config = RagR1ConfigSchema.parse({
      sft: { model: { kind: 'hf', path: '/m' }, lora, gradientCheckpointing: true },
    });
    const sft = buildSftTrainerConfig(config.sft, { ...runtime, trainFile: 't' });
    expect(SftTrainerConfigSchema.parse(sft)).toEqual(sft);
    expect(sft.model).toEqual({
      kind: 'hf',
      path: '/m',
      lora: { r: 8, alpha: 16, dropout: 0, target_modules: ['q_proj'] },
      gradient_checkpointing: true,
    });
    expect(sft).not.toHaveProperty('tokenizer');
    expect(buildPpoTrainerConfig(config, ppoFiles)).toMatchObject({
      lora: null,
      gradient_checkpointing: false,
    });
    const tiny = RagR1ConfigSchema.safeParse({ ppo: { lora } });
    expect(tiny.success).toBe(false);
    expect(tiny.error?.issues[0]?.path).toEqual(['ppo', 'lora']);
    const packed = RagR1ConfigSchema.safeParse({
      sft: { model: { kind: 'hf', path: '/m' }, batching: 'packed' },
    });
    expect(packed.error?.issues[0]?.message).toContain('sft.batching "packed"');
  });
});
