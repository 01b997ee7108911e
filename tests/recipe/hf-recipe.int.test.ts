import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StageRunDetails } from '../../activities/framework/types.ts';
import { unpackArchive } from '../../activities/trainer/archive.ts';
import { PACKAGE_DIR, trainerPython } from '../../activities/trainer/run-trainer-stage.ts';
import { loadEnv } from '../../lib/env.ts';
import { useTempDirs } from '../support/temp-dirs.ts';
import { createHarness, stageRows, type Harness } from '../workflow/harness.ts';

/**
 * The recipe with a Hugging Face policy inside experimentWorkflow, against the real Temporal,
 * PostgreSQL and MinIO: SFT and PPO train a small random Llama-architecture model (built by
 * the trainer's `init-hf`; nothing can be downloaded), evaluation serves its checkpoints
 * through the trainer's OpenAI-compatible server, and the PPO checkpoint fetched back from
 * MinIO loads with `AutoModelForCausalLM.from_pretrained`.
 */
const tempDir = useTempDirs();
const python = trainerPython(loadEnv().RAG_R1_PYTHON);

function runPython(args: string[]): string {
  return execFileSync(python, args, {
    env: { ...process.env, PYTHONPATH: PACKAGE_DIR },
    encoding: 'utf8',
    timeout: 300_000,
  });
}

/** A tiny HF model whose byte-level BPE tokenizer is trained on text shaped like the recipe's. */
function initHfModel(): string {
  const dir = tempDir('hf-base-');
  const texts = join(dir, 'texts.jsonl');
  const lines = [
    'Answer the given question. You must conduct reasoning inside <think> and </think> first.',
    'After reasoning, if you lack knowledge, call a search engine by <search> query </search>.',
    'It will return the top searched results between <information> and </information>.',
    'Doc 1: The capital of Zorvel is Kamir. Doc 2: Velsa was founded in 1820 by Dunbre.',
    'If you find no further external knowledge needed, give the answer inside <answer> and </answer>.',
  ];
  writeFileSync(texts, lines.map((text, i) => JSON.stringify({ id: String(i), text })).join('\n'));
  const output = join(dir, 'model');
  const config = {
    texts: [texts],
    output_dir: output,
    vocab_size: 800,
    hidden_size: 64,
    layers: 2,
  };
  runPython(['-m', 'rag_r1_trainer', 'init-hf', '--config', JSON.stringify(config)]);
  return output;
}

const SMALL = [
  'data.world.passages=500',
  'data.trainQuestions=80',
  'data.evalPerDataset=2',
  'agent.maxTurns=1',
  'agent.maxTokensPerTurn=24',
  'evaluate.maxTurns=1',
  'evaluate.maxTokensPerTurn=24',
  'sft.epochs=1',
  'sft.batchSize=8',
  'sft.learningRate=0.003',
  'sft.checkpointEvery=20',
  'filter.candidates=teacher',
  'ppo.steps=2',
  'ppo.batchSize=2',
  'ppo.miniBatchSize=1',
  'ppo.groupSize=2',
  'ppo.checkpointEvery=1',
  'evaluate.baselines=["naive"]',
];

let harness: Harness;
let model: string;
beforeAll(async () => {
  model = initHfModel();
  harness = await createHarness('hf-recipe');
}, 600_000);
afterAll(async () => {
  await harness?.close();
});

function outputOf(rows: Awaited<ReturnType<typeof stageRows>>, stage: string) {
  const row = rows.find((r) => r.stage === stage && r.shard === -1 && r.status === 'COMPLETED');
  return (row?.outputs as StageRunDetails | null)?.output;
}

describe('rag-r1 recipe with a Hugging Face policy', () => {
  it(
    'trains it through SFT and PPO, evaluates it served over HTTP, and stores from_pretrained checkpoints',
    { timeout: 1_800_000 },
    async () => {
      const workers = await harness.workers();
      await workers.runUntil(async () => {
        const sets = [...SMALL, `sft.model={"kind":"hf","path":${JSON.stringify(model)}}`];
        const run = await harness.launch('rag-r1', sets);
        expect(await harness.waitForRun(run.runId, 1_500_000)).toEqual({
          status: 'COMPLETED',
          error: null,
        });
        const rows = await stageRows(harness, run.runId);
        const sft = outputOf(rows, 'sft-train');
        expect(sft?.summary['lastLoss']).toBeLessThan(sft?.summary['firstLoss'] as number);
        for (const stage of ['sft-train', 'ppo-train']) {
          const artifacts = outputOf(rows, stage)?.artifacts ?? {};
          expect(Object.keys(artifacts).sort(), stage).toEqual(['checkpoint', 'curve']);
          expect(artifacts['checkpoint']?.kind).toBe('hf-checkpoint');
        }

        const ref = outputOf(rows, 'ppo-train')!.artifacts['checkpoint']!;
        const dir = tempDir('hf-ppo-');
        const archive = join(dir, 'checkpoint.tar.gz');
        writeFileSync(archive, await harness.deps.artifacts.getBytes(ref.sha256));
        await unpackArchive(archive, join(dir, 'checkpoint'));
        const loaded = runPython([
          '-c',
          'import sys; from transformers import AutoModelForCausalLM as M; ' +
            'm = M.from_pretrained(sys.argv[1]); print(type(m).__name__, sum(p.numel() for p in m.parameters()))',
          join(dir, 'checkpoint'),
        ]);
        expect(loaded).toMatch(/^LlamaForCausalLM \d+/);

        const results = await harness.database.db.evalResult.findMany({
          where: { runId: run.runId },
        });
        expect(new Set(results.map((r) => r.dataset)).size).toBe(7);
        expect(new Set(results.map((r) => r.method))).toEqual(new Set(['naive', 'ppo']));
        const outputs = outputOf(rows, 'evaluate');
        expect(outputs?.summary).toBeTruthy();
      });
    },
  );
});
