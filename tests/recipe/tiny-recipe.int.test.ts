import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StageRunDetails } from '../../activities/framework/types.ts';
import { createHarness, stageRows, type Harness } from '../workflow/harness.ts';

/**
 * The whole RAG-R1 recipe on a small tiny world, inside experimentWorkflow, against the real
 * Temporal, PostgreSQL and MinIO, with the real trainer: CI's proof that every stage connects.
 * Sizes are cut so it fits CI; the full tiny preset is the README's main command.
 */
const SMALL = [
  'data.world.passages=500',
  'data.trainQuestions=160',
  'data.evalPerDataset=4',
  'agent.maxTurns=2',
  'agent.maxTokensPerTurn=32',
  'evaluate.maxTurns=2',
  'evaluate.maxTokensPerTurn=32',
  'teacherSample.shards=2',
  'sft.epochs=2',
  'sft.pretrainEpochs=2',
  'sft.checkpointEvery=10',
  // Two SFT epochs leave a policy that solves next to nothing, so the probe (the tiny default)
  // would keep no question: the teacher filter here, the probe in probe-filter.int.test.ts.
  'filter.candidates=teacher',
  'ppo.steps=4',
  'ppo.batchSize=4',
  'ppo.miniBatchSize=2',
  'ppo.checkpointEvery=2',
  'evaluate.shards=2',
  'evaluate.baselines=["naive"]',
];

const STAGES = [
  'prepare',
  'teacher-sample',
  'sft-split',
  'sft-train',
  'filter',
  'ppo-train',
  'evaluate',
  'report',
];

let harness: Harness;
beforeAll(async () => {
  harness = await createHarness('recipe');
});
afterAll(async () => {
  await harness?.close();
});

function outputOf(rows: Awaited<ReturnType<typeof stageRows>>, stage: string) {
  const row = rows.find((r) => r.stage === stage && r.shard === -1 && r.status === 'COMPLETED');
  return (row?.outputs as StageRunDetails | null)?.output;
}

describe('rag-r1 recipe on the tiny world', () => {
  // Trains for real on 2 CPU cores: minutes, not the default integration timeout.
  it(
    'runs every stage end to end, then reuses every stage from the cache',
    { timeout: 1_800_000 },
    async () => {
      const workers = await harness.workers();
      await workers.runUntil(async () => {
        const first = await harness.launch('rag-r1', SMALL);
        expect(await harness.waitForRun(first.runId, 1_500_000)).toEqual({
          status: 'COMPLETED',
          error: null,
        });
        const rows = await stageRows(harness, first.runId);
        for (const stage of STAGES) {
          expect(
            rows.some((r) => r.stage === stage && r.status === 'COMPLETED'),
            stage,
          ).toBe(true);
        }

        const sft = outputOf(rows, 'sft-train');
        expect(sft?.summary['lastLoss']).toBeLessThan(sft?.summary['firstLoss'] as number);
        for (const stage of ['sft-train', 'ppo-train']) {
          const artifacts = outputOf(rows, stage)?.artifacts ?? {};
          expect(Object.keys(artifacts).sort(), stage).toEqual(['checkpoint', 'curve', 'onnx']);
          expect(await harness.deps.artifacts.getBytes(artifacts['onnx']!.sha256)).toBeTruthy();
        }

        const results = await harness.database.db.evalResult.findMany({
          where: { runId: first.runId },
        });
        const datasets = new Set(results.map((r) => r.dataset));
        expect(datasets.size).toBe(7);
        expect(new Set(results.map((r) => r.method))).toEqual(new Set(['naive', 'ppo']));
        for (const result of results) {
          expect(result.n).toBe(4);
          expect(result.normalize).toBe('rag-r1');
        }
        const report = outputOf(rows, 'report')?.artifacts['markdown'];
        const markdown = new TextDecoder().decode(
          await harness.deps.artifacts.getBytes(report!.sha256),
        );
        expect(markdown).toContain('## Evaluation');
        expect(markdown).toContain('| ppo |');

        const again = await harness.launch('rag-r1', SMALL);
        expect((await harness.waitForRun(again.runId, 300_000)).status).toBe('COMPLETED');
        const cached = await stageRows(harness, again.runId);
        for (const stage of STAGES) {
          expect(cached.find((r) => r.stage === stage && r.shard === -1)?.status, stage).toBe(
            'CACHED',
          );
        }
      });
    },
  );
});
