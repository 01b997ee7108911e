import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPg } from './client.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
});

afterAll(async () => {
  await testDb.drop();
});

describe('createTestDatabase', () => {
  it('gives a migrated database of its own that drop() removes', async () => {
    const other = await createTestDatabase();
    expect(other.url).not.toBe(testDb.url);
    expect(await other.db.experiment.count()).toBe(0);
    const name = new URL(other.url).pathname.slice(1);
    await other.drop();
    const admin = await connectPg(testDb.url);
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    await admin.end();
    expect(rowCount).toBe(0);
  });
});

describe('the run registry', () => {
  it('creates, reads and updates experiments, runs, stage runs and metrics', async () => {
    const { db } = testDb;
    const experiment = await db.experiment.create({
      data: {
        name: 'tiny',
        recipe: 'rag-r1',
        preset: 'tiny',
        configHash: 'h1',
        config: { seed: 1 },
      },
    });
    const run = await db.run.create({ data: { experimentId: experiment.id, workflowId: 'wf-1' } });
    expect(run.status).toBe('PENDING');
    const resumed = await db.run.create({
      data: { experimentId: experiment.id, workflowId: 'wf-2', resumedFromId: run.id },
    });
    await db.run.update({
      where: { id: run.id },
      data: { status: 'FAILED', error: 'boom', finishedAt: new Date() },
    });

    const stage = await db.stageRun.create({
      data: { runId: resumed.id, stage: 'prepare', cacheKey: 'k1', taskQueue: 'cpu' },
    });
    await db.stageRun.update({
      where: { id: stage.id },
      data: { status: 'COMPLETED', progress: 1, outputs: { a: 1 } },
    });
    await db.metric.createMany({
      data: [0, 1, 2].map((step) => ({
        runId: resumed.id,
        stage: 'ppo-train',
        key: 'reward',
        value: step / 2,
        step,
      })),
    });

    const read = await db.run.findUniqueOrThrow({
      where: { workflowId: 'wf-2' },
      include: {
        resumedFrom: true,
        stageRuns: true,
        metrics: { orderBy: { step: 'asc' } },
        experiment: true,
      },
    });
    expect(read.resumedFrom?.status).toBe('FAILED');
    expect(read.experiment.config).toEqual({ seed: 1 });
    expect(read.stageRuns[0]).toMatchObject({
      status: 'COMPLETED',
      progress: 1,
      shard: -1,
      attempt: 1,
      outputs: { a: 1 },
    });
    expect(read.metrics.map((metric) => metric.value)).toEqual([0, 0.5, 1]);
    expect(typeof read.metrics[0]?.id).toBe('bigint');
  });

  it('enforces the unique keys the engine relies on', async () => {
    const { db } = testDb;
    const experiment = await db.experiment.create({
      data: { name: 'dup', recipe: 'rag-r1', configHash: 'h-dup', config: {} },
    });
    await expect(
      db.experiment.create({
        data: { name: 'dup2', recipe: 'rag-r1', configHash: 'h-dup', config: {} },
      }),
    ).rejects.toMatchObject({ code: 'P2002' });
    const run = await db.run.create({
      data: { experimentId: experiment.id, workflowId: 'wf-dup' },
    });
    const stage = {
      runId: run.id,
      stage: 'filter',
      cacheKey: 'k',
      taskQueue: 'cpu',
      shard: 0,
      attempt: 1,
    };
    await db.stageRun.create({ data: stage });
    await expect(db.stageRun.create({ data: stage })).rejects.toMatchObject({ code: 'P2002' });
  });

  it('stores stage cache entries and artifacts (BigInt sizes) and upserts them', async () => {
    const { db } = testDb;
    await db.stageCache.create({
      data: { cacheKey: 'c1', stage: 'prepare', outputs: { x: 1 }, runId: 'r' },
    });
    await db.stageCache.update({ where: { cacheKey: 'c1' }, data: { outputs: { x: 2 } } });
    expect((await db.stageCache.findUniqueOrThrow({ where: { cacheKey: 'c1' } })).outputs).toEqual({
      x: 2,
    });

    const sha256 = 'a'.repeat(64);
    const big = 5n * 1024n ** 3n;
    const artifact = {
      kind: 'checkpoint',
      bytes: big,
      mediaType: 'application/octet-stream',
      producer: 't',
    };
    await db.artifact.upsert({ where: { sha256 }, create: { sha256, ...artifact }, update: {} });
    await db.artifact.upsert({
      where: { sha256 },
      create: { sha256, ...artifact },
      update: { runId: 'r1' },
    });
    const stored = await db.artifact.findUniqueOrThrow({ where: { sha256 } });
    expect(stored.bytes).toBe(big);
    expect(stored.runId).toBe('r1');
  });

  it('links eval results to runs and schedules, and caches per-question outputs', async () => {
    const { db } = testDb;
    const experiment = await db.experiment.create({
      data: { name: 'eval', recipe: 'rag-r1', configHash: 'h-eval', config: {} },
    });
    const run = await db.run.create({
      data: { experimentId: experiment.id, workflowId: 'wf-eval' },
    });
    const schedule = await db.schedule.create({
      data: { name: 'nightly', scheduleId: 's-1', spec: { cron: '0 3 * * *' } },
    });
    await db.schedule.update({ where: { id: schedule.id }, data: { paused: true } });
    const result = await db.evalResult.create({
      data: {
        runId: run.id,
        scheduleId: schedule.id,
        checkpoint: 'ckpt-1',
        dataset: 'nq',
        normalize: 'squad',
        n: 10,
        em: 0.4,
        f1: 0.5,
        meanSeconds: 1.2,
        meanRetrievals: 1.5,
        stamp: { k: 3 },
        outputsArtifact: 'b'.repeat(64),
      },
    });
    await db.evalResult.update({ where: { id: result.id }, data: { em: 0.45 } });
    await db.evalCacheEntry.create({
      data: {
        key: 'q1',
        checkpoint: 'ckpt-1',
        dataset: 'nq',
        questionId: '1',
        em: 1,
        f1: 1,
        seconds: 0.3,
        retrievals: 2,
        prediction: 'Paris',
      },
    });
    await db.evalCacheEntry.update({ where: { key: 'q1' }, data: { prediction: 'paris' } });

    const withResults = await db.schedule.findUniqueOrThrow({
      where: { name: 'nightly' },
      include: { evalResults: true },
    });
    expect(withResults.paused).toBe(true);
    expect(withResults.evalResults[0]).toMatchObject({ dataset: 'nq', em: 0.45, method: 'policy' });
    expect((await db.evalCacheEntry.findUniqueOrThrow({ where: { key: 'q1' } })).prediction).toBe(
      'paris',
    );

    await db.schedule.delete({ where: { id: schedule.id } });
    expect(
      (await db.evalResult.findUniqueOrThrow({ where: { id: result.id } })).scheduleId,
    ).toBeNull();
    await db.run.delete({ where: { id: run.id } });
    expect(await db.evalResult.count({ where: { id: result.id } })).toBe(0);
  });
});
