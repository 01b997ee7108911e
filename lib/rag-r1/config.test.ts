import { describe, expect, it } from 'vitest';
import { RagR1ConfigSchema } from './config.ts';
import { missingForPaperRun, RAG_R1_PRESETS } from './presets.ts';

describe('RagR1ConfigSchema', () => {
  it('fills the tiny world defaults from an empty object', () => {
    const config = RagR1ConfigSchema.parse({});
    expect(config.data.source).toBe('tiny-world');
    expect(config.retrieval.topK).toBe(3);
    expect(config.filter.temperature).toBe(1.2);
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
    const missing = missingForPaperRun(paper).join('\n');
    expect(missing).toContain('sft.model.path');
    expect(missing).toContain('teacherSample.backend');
    expect(missingForPaperRun(RagR1ConfigSchema.parse({}))).toEqual([]);
  });
});
