import { describe, expect, it } from 'vitest';
import { RagR1ConfigSchema } from './config.ts';
import { missingForPaperRun, RAG_R1_PRESETS } from './presets.ts';
import { PpoConfigSchema, SftConfigSchema } from './sft-ppo-config.ts';

describe('RagR1ConfigSchema', () => {
  it('fills the tiny world defaults from an empty object', () => {
    const config = RagR1ConfigSchema.parse({});
    expect(config.data.source).toBe('tiny-world');
    expect(config.retrieval.topK).toBe(3);
    expect(config.filter).toMatchObject({ candidates: 'probe', temperature: 0.8, rollouts: 4 });
    expect(config.evaluate.datasets).toHaveLength(7);
  });

  it('names the path of an unknown key', () => {
    const result = RagR1ConfigSchema.safeParse({ ppo: { klBetta: 0.1 } });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain('klBetta');
    expect(result.error?.issues[0]?.path).toEqual(['ppo']);
  });

  it('names the path of a bad value', () => {
    const result = RagR1ConfigSchema.safeParse({ filter: { correctShare: 2 } });
    expect(result.error?.issues[0]?.path).toEqual(['filter', 'correctShare']);
  });

  it('validates every preset and lists what a paper run lacks', () => {
    for (const [name, preset] of Object.entries(RAG_R1_PRESETS)) {
      const config = RagR1ConfigSchema.parse(preset);
      expect(config.name).toBe(name);
    }
    const paper = RagR1ConfigSchema.parse(RAG_R1_PRESETS['rag-r1-mq']);
    expect(paper.ppo.batchSize).toBe(512);
    expect(paper.filter).toMatchObject({ candidates: 'teacher', rollouts: 10, temperature: 1.2 });
    const missing = missingForPaperRun(paper).join('\n');
    expect(missing).toContain('sft.model.path');
    expect(missing).toContain('teacherSample.backend');
    expect(missingForPaperRun(RagR1ConfigSchema.parse({}))).toEqual([]);
  });

  it('sets the paper values of every trainer hyperparameter in the paper presets', () => {
    const paper = RagR1ConfigSchema.parse(RAG_R1_PRESETS['rag-r1-sq']);
    expect(paper.ppo).toMatchObject({
      microBatchSize: 32,
      actorWarmupRatio: 0.285,
      criticWarmupRatio: 0.015,
      formatReward: 0,
      stateMasking: true,
      maxStartTokens: 2048,
      bf16: true,
    });
    expect(paper.sft).toMatchObject({
      learningRate: 1e-5,
      batchSize: 1,
      gradAccum: 64,
      warmupSteps: 20,
      checkpointEvery: 100,
    });
    const tiny = RagR1ConfigSchema.parse({});
    expect(tiny.ppo).toMatchObject({
      actorWarmupRatio: 0,
      microBatchSize: 16,
      maxStartTokens: 1024,
    });
  });

  it('describes every sft and ppo field', () => {
    for (const section of [SftConfigSchema, PpoConfigSchema]) {
      for (const [name, field] of Object.entries(section.shape)) {
        expect({ name, description: field.description ?? null }).not.toEqual({
          name,
          description: null,
        });
      }
    }
  });

  it('rejects a context cap longer than the tiny model, naming agent.maxContextTokens', () => {
    const result = RagR1ConfigSchema.safeParse({
      agent: { maxContextTokens: 2048 },
      sft: { model: { maxPosition: 1024 } },
    });
    expect(result.error?.issues[0]?.path).toEqual(['agent', 'maxContextTokens']);
    expect(result.error?.issues[0]?.message).toContain('sft.model.maxPosition 1024');
    const hf = { agent: { maxContextTokens: 8192 }, sft: { model: { kind: 'hf' } } };
    expect(RagR1ConfigSchema.safeParse(hf).success).toBe(true);
  });
});
