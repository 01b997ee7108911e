import { randomBytes } from 'node:crypto';
import { ScheduleNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../tests/workflow/harness.ts';
import { createEvalFixture, type EvalFixture } from '../../activities/evaluate/test-fixture.ts';
import { compareRuns } from './compare-query.ts';
import {
  createSweep,
  deleteSweep,
  getSweep,
  setSweepPaused,
  sweepResults,
  triggerSweep,
  type SweepDeps,
} from './sweeps.ts';

let harness: Harness;
let fixture: EvalFixture;

beforeAll(async () => {
  harness = await createHarness('sweep');
  fixture = await createEvalFixture(['nq'], 3);
});
afterAll(async () => {
  await harness?.close();
  await fixture?.remove();
});

async function seedRun(): Promise<string> {
  const { db } = harness.database;
  const put = (path: string, kind: string) =>
    harness.deps.artifacts.putFile(path, {
      kind,
      mediaType: 'application/octet-stream',
      producer: 'test',
    });
  const prepare = {
    artifacts: {
      corpus: await put(fixture.corpus, 'corpus'),
      index: await put(fixture.index, 'bm25-index'),
      'qa:nq': await put(fixture.qa['nq']!, 'qa'),
    },
    summary: {},
  };
  const ppo = { artifacts: { onnx: await put(fixture.archive, 'onnx') }, summary: {} };
  const experiment = await db.experiment.create({
    data: {
      name: 'sweep-src',
      recipe: 'rag-r1',
      configHash: randomBytes(8).toString('hex'),
      config: { retrieval: { k1: 1.2, b: 0.75 } },
    },
  });
  const run = await db.run.create({
    data: {
      experimentId: experiment.id,
      workflowId: `wf-${randomBytes(4).toString('hex')}`,
      status: 'COMPLETED',
    },
  });
  for (const [stage, output] of [
    ['prepare', prepare],
    ['ppo-train', ppo],
  ] as const) {
    await db.stageRun.create({
      data: {
        runId: run.id,
        stage,
        status: 'COMPLETED',
        cacheKey: `k-${stage}`,
        taskQueue: 'cpu',
        outputs: { output },
        finishedAt: new Date(),
      },
    });
  }
  return run.id;
}

describe('scheduled evaluation sweeps on the real Temporal server', () => {
  it('runs an interval sweep at least twice, scores only what the cache lacks, and manages the schedule', async () => {
    const runId = await seedRun();
    const deps: SweepDeps = {
      db: harness.database.db,
      client: harness.client,
      taskQueuePrefix: harness.prefix,
    };
    const name = `s-${randomBytes(3).toString('hex')}`;
    const workers = await harness.workers();
    await workers.runUntil(async () => {
      const created = await createSweep(deps, {
        name,
        intervalSeconds: 3,
        overlap: 'skip',
        runIds: [runId],
        datasets: ['nq'],
        topK: [2, 3],
        limit: 3,
        decoding: { maxTurns: 1, maxTokensPerTurn: 12 },
      });
      expect(created).toMatchObject({ name, paused: false, evalResults: 0 });
      expect(created.spec.overlap).toBe('skip');

      // Two executions x two top-k cells x one dataset.
      const deadline = Date.now() + 120_000;
      let info = await getSweep(deps, name);
      while ((info.evalResults < 4 || info.executions < 2) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        info = await getSweep(deps, name);
      }
      expect(info.executions).toBeGreaterThanOrEqual(2);
      expect(info.evalResults).toBeGreaterThanOrEqual(4);
      await setSweepPaused(deps, name, true);
      expect((await getSweep(deps, name)).paused).toBe(true);

      const results = await sweepResults(deps, name);
      expect(new Set(results.map((r) => r.method))).toEqual(
        new Set(['sweep-mq-k2', 'sweep-mq-k3']),
      );
      expect(results.every((r) => r.runId === runId && r.dataset === 'nq' && r.n === 3)).toBe(true);
      // The second execution found every answer in the cache: 2 settings x 3 questions cached once.
      expect(await harness.database.db.evalCacheEntry.count()).toBe(6);

      const comparison = await compareRuns(harness.database.db, [runId, runId]);
      expect(comparison.rows.map((row) => row.method).sort()).toEqual([
        'sweep-mq-k2',
        'sweep-mq-k3',
      ]);
      expect(comparison.rows.every((row) => row.deltas[1]?.delta === 0)).toBe(true);

      // Two methods of one run, paired on the same questions: RUN:method selectors.
      const k2 = results.find((r) => r.method === 'sweep-mq-k2')!;
      const k3 = results.find((r) => r.method === 'sweep-mq-k3')!;
      const methods = await compareRuns(harness.database.db, [
        `${runId}:sweep-mq-k2`,
        `${runId}:sweep-mq-k3`,
      ]);
      expect(methods.rows.map((row) => [row.method, row.dataset])).toEqual([['selected', 'nq']]);
      expect(methods.rows[0]?.cells.map((cell) => cell?.em)).toEqual([k2.em, k3.em]);
      expect(methods.rows[0]?.deltas[1]?.delta).toBeCloseTo(k3.em - k2.em, 10);
      await expect(
        compareRuns(harness.database.db, [runId, `${runId}:sweep-mq-k3`]),
      ).rejects.toThrow(/not both/);

      const before = (await getSweep(deps, name)).executions;
      await triggerSweep(deps, name, 'allow-all');
      const triggerDeadline = Date.now() + 30_000;
      while ((await getSweep(deps, name)).executions <= before && Date.now() < triggerDeadline) {
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      expect((await getSweep(deps, name)).executions).toBeGreaterThan(before);
      const scheduleId = info.scheduleId;
      await deleteSweep(deps, name);
      await expect(harness.client.schedule.getHandle(scheduleId).describe()).rejects.toBeInstanceOf(
        ScheduleNotFoundError,
      );
      expect(await harness.database.db.schedule.count({ where: { name } })).toBe(0);
      expect(
        await harness.database.db.evalResult.count({ where: { runId } }),
      ).toBeGreaterThanOrEqual(4);
    });
  }, 240_000);

  it('refuses a spec with both or neither of cron and interval, naming the field', async () => {
    const deps: SweepDeps = {
      db: harness.database.db,
      client: harness.client,
      taskQueuePrefix: harness.prefix,
    };
    await expect(
      createSweep(deps, { name: 'bad', runIds: ['r'], datasets: ['nq'] }),
    ).rejects.toThrow(/cron: give exactly one/);
    await expect(
      createSweep(deps, {
        name: 'bad',
        cron: '* * * * *',
        intervalSeconds: 5,
        runIds: ['r'],
        datasets: ['nq'],
      }),
    ).rejects.toThrow(/cron/);
  });
});
