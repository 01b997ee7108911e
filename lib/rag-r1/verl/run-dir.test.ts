import { describe, expect, it } from 'vitest';
import { RagR1ConfigSchema } from '../config.ts';
import { RAG_R1_PRESETS } from '../presets.ts';
import type { RlQuestion } from '../records.ts';
import { buildVerlRunDir, type BuildVerlRunDirOptions } from './run-dir.ts';
import { overridesToMap } from './render-config.ts';

function questions(count: number): RlQuestion[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `q${index}`,
    question: `question ${index}`,
    golden_answers: [`answer ${index}`],
    dataset: 'hotpotqa',
  }));
}

function options(overrides: Partial<BuildVerlRunDirOptions> = {}): BuildVerlRunDirOptions {
  return {
    config: RagR1ConfigSchema.parse(RAG_R1_PRESETS['rag-r1-sq']),
    train: questions(4770),
    val: questions(252),
    clusterDir: '/shared/runs/sq',
    sftCheckpoint: '/models/sft-sq',
    retrieverUrl: 'http://127.0.0.1:8000/retrieve',
    nodes: 1,
    gpusPerNode: 8,
    projectName: 'rag-r1-lab',
    experimentName: 'sq-ppo',
    ...overrides,
  };
}

describe('buildVerlRunDir', () => {
  it('writes the overrides, rows, run.env and config with cluster paths', () => {
    const run = buildVerlRunDir(options());
    expect(Object.keys(run.files).sort()).toEqual([
      'config.json',
      'data/test.jsonl',
      'data/train.jsonl',
      'overrides.txt',
      'run.env',
    ]);
    const map = overridesToMap(run.files['overrides.txt']?.trimEnd().split('\n') ?? []);
    expect(map.get('data.train_files')).toBe('/shared/runs/sq/data/train.parquet');
    expect(map.get('data.val_files')).toBe('/shared/runs/sq/data/test.parquet');
    expect(map.get('trainer.default_local_dir')).toBe('/shared/runs/sq/checkpoints');
    // 252 validation rows: a 256 batch with drop_last would leave veRL no validation batch.
    expect(map.get('data.val_batch_size')).toBe('252');
    expect(run.files['run.env']).toBe(
      "MODE=sq\nNODES=1\nGPUS_PER_NODE=8\nWORLD_SIZE=8\nEXPERIMENT='sq-ppo'\n",
    );
    expect(run.files['data/train.jsonl']?.trimEnd().split('\n')).toHaveLength(4770);
    expect(run.files['data/test.jsonl']).toContain('"split":"test"');
  });

  it("warns that sq's 9 batches x 50 epochs stop at step 450 (spec 5)", () => {
    expect(buildVerlRunDir(options()).warnings.join('\n')).toMatch(/stops at step 450/);
    const mq = RagR1ConfigSchema.parse(RAG_R1_PRESETS['rag-r1-mq']);
    const run = buildVerlRunDir(options({ config: mq, train: questions(6664) }));
    expect(run.warnings).toEqual([]);
  });

  it('warns about a loopback retriever on a multi-node run', () => {
    const run = buildVerlRunDir(options({ nodes: 2 }));
    expect(run.warnings.join('\n')).toMatch(/loopback but the run spans 2 nodes/);
  });

  it('refuses too few training rows and a relative cluster dir', () => {
    expect(() => buildVerlRunDir(options({ train: questions(100) }))).toThrow(/fewer than ppo/);
    expect(() => buildVerlRunDir(options({ clusterDir: 'runs/sq' }))).toThrow(/absolute/);
    expect(() => buildVerlRunDir(options({ val: [] }))).toThrow(/no validation rows/);
  });
});
