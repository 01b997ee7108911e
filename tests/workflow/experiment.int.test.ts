import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StageRunDetails } from '../../activities/framework/types.ts';
import { cancelRun, resumeRun } from '../../workflows/client/launch-run.ts';
import { createHarness, stageRows, type Harness } from './harness.ts';

let harness: Harness;
const SMALL = [
  'generate.records=400',
  'transform.shards=2',
  'transform.rounds=20',
  'transform.checkpointEvery=50',
];

beforeAll(async () => {
  harness = await createHarness('exp');
});
afterAll(async () => {
  await harness?.close();
});

function artifactOf(
  rows: Awaited<ReturnType<typeof stageRows>>,
  stage: string,
  shard: number,
  name: string,
) {
  const row = rows.find(
    (r) =>
      r.stage === stage && r.shard === shard && (r.status === 'COMPLETED' || r.status === 'CACHED'),
  );
  return (row?.outputs as StageRunDetails | null)?.output?.artifacts[name]?.sha256;
}

describe('experimentWorkflow on files-demo', () => {
  it('runs the graph, reuses shared stages across experiments, and recomputes with force', async () => {
    const workers = await harness.workers();
    await workers.runUntil(async () => {
      const first = await harness.launch('files-demo', SMALL);
      expect(await harness.waitForRun(first.runId)).toEqual({ status: 'COMPLETED', error: null });
      const firstRows = await stageRows(harness, first.runId);
      expect(firstRows.filter((r) => r.status === 'CACHED')).toEqual([]);
      expect(firstRows.filter((r) => r.stage === 'transform').map((r) => r.shard)).toEqual([
        -1, 0, 1,
      ]);

      // Another experiment: only wordcount's slice differs, so generate and transform are reused.
      const second = await harness.launch('files-demo', [...SMALL, 'wordcount.top=5']);
      expect(second.experimentId).not.toBe(first.experimentId);
      expect((await harness.waitForRun(second.runId)).status).toBe('COMPLETED');
      const secondRows = await stageRows(harness, second.runId);
      const status = (stage: string) =>
        secondRows.find((r) => r.stage === stage && r.shard === -1)?.status;
      expect(status('generate')).toBe('CACHED');
      expect(status('transform')).toBe('CACHED');
      expect(secondRows.find((r) => r.stage === 'generate')?.cacheHit).toBe(true);
      expect(status('wordcount')).toBe('COMPLETED');
      expect(status('hash')).toBe('COMPLETED');
      expect(secondRows.some((r) => r.stage === 'transform' && r.shard >= 0)).toBe(false);

      // --force recomputes everything and gets the same bytes.
      const forced = await harness.launch('files-demo', SMALL, { force: true });
      expect((await harness.waitForRun(forced.runId)).status).toBe('COMPLETED');
      const forcedRows = await stageRows(harness, forced.runId);
      expect(forcedRows.filter((r) => r.cacheHit)).toEqual([]);
      expect(
        forcedRows.filter(
          (r) => r.stage === 'transform' && r.shard >= 0 && r.status === 'COMPLETED',
        ),
      ).toHaveLength(2);
      expect(artifactOf(forcedRows, 'hash', -1, 'merkle')).toBe(
        artifactOf(firstRows, 'hash', -1, 'merkle'),
      );
      expect(artifactOf(forcedRows, 'transform', 1, 'transformed')).toBe(
        artifactOf(firstRows, 'transform', 1, 'transformed'),
      );
    });
  });

  it('fails a run on a non-retryable error and resume runs only the failed stage and later ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rag-r1-fault-'));
    const switchFile = join(dir, 'fail');
    writeFileSync(switchFile, '');
    const sets = [
      ...SMALL,
      'seed=11',
      'faults.stage="transform"',
      'faults.atRecord=160',
      `faults.whileFileExists=${switchFile}`,
    ];
    const workers = await harness.workers();
    try {
      await workers.runUntil(async () => {
        const failed = await harness.launch('files-demo', sets);
        const outcome = await harness.waitForRun(failed.runId);
        expect(outcome.status).toBe('FAILED');
        expect(outcome.error).toContain('transform');
        expect(outcome.error).toContain('DATA_INVALID');
        expect(outcome.error).toContain('injected fault');
        const failedRows = await stageRows(harness, failed.runId);
        const shard0 = failedRows.filter((r) => r.stage === 'transform' && r.shard === 0);
        expect(shard0.map((r) => [r.attempt, r.status, r.errorType])).toEqual([
          [1, 'FAILED', 'DATA_INVALID'],
        ]);
        expect(failedRows.find((r) => r.stage === 'hash')).toBeUndefined();

        rmSync(switchFile);
        expect(existsSync(switchFile)).toBe(false);
        const resumed = await resumeRun({
          db: harness.database.db,
          client: harness.client,
          runId: failed.runId,
          taskQueuePrefix: harness.prefix,
        });
        expect((await harness.waitForRun(resumed.runId)).status).toBe('COMPLETED');
        const run = await harness.database.db.run.findUniqueOrThrow({
          where: { id: resumed.runId },
        });
        expect(run.resumedFromId).toBe(failed.runId);
        const rows = await stageRows(harness, resumed.runId);
        const executed = rows.filter(
          (r) =>
            (r.status === 'COMPLETED' && r.shard !== -1) ||
            (r.shard === -1 && r.status === 'COMPLETED' && r.stage !== 'transform'),
        );
        expect(executed.map((r) => `${r.stage}#${r.shard}`).sort()).toEqual([
          'hash#-1',
          'transform#0',
        ]);
        expect(
          rows
            .filter((r) => r.status === 'CACHED')
            .map((r) => `${r.stage}#${r.shard}`)
            .sort(),
        ).toEqual(['generate#-1', 'transform#1', 'wordcount#-1']);
        const resumedShard = rows.find((r) => r.stage === 'transform' && r.shard === 0)!;
        const details = resumedShard.outputs as StageRunDetails;
        expect(details.resumedFrom).toMatchObject({
          source: 'previous-run',
          step: 150,
          runId: failed.runId,
        });
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('continues as new on a long graph and answers the progress query', async () => {
    const workers = await harness.workers();
    await workers.runUntil(async () => {
      const launched = await harness.launch('bench-chain', [`nonce="${harness.prefix}"`], {
        historyThreshold: 150,
      });
      expect((await harness.waitForRun(launched.runId)).status).toBe('COMPLETED');
      const handle = harness.client.workflow.getHandle(launched.workflowId);
      const progress = await handle.query<{
        completed: number;
        total: number;
        continuedAsNew: number;
      }>('progress');
      expect(progress.completed).toBe(100);
      expect(progress.total).toBe(100);
      expect(progress.continuedAsNew).toBeGreaterThan(2);
      const rows = await stageRows(harness, launched.runId);
      expect(rows.filter((r) => r.status === 'COMPLETED')).toHaveLength(100);
    });
  });

  it('cancel stops running stages within a few heartbeat intervals and marks the run cancelled', async () => {
    const workers = await harness.workers();
    await workers.runUntil(async () => {
      const launched = await harness.launch('files-demo', [
        'generate.records=2000',
        'transform.shards=2',
        'transform.rounds=3000',
        'seed=5',
      ]);
      const db = harness.database.db;
      for (let tries = 0; ; tries += 1) {
        const running = await db.stageRun.findMany({
          where: {
            runId: launched.runId,
            stage: 'transform',
            status: 'RUNNING',
            progress: { gt: 0 },
          },
        });
        if (running.length === 2) break;
        if (tries > 600) throw new Error('transform shards never reported progress');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const heartbeatMs = 3_000;
      const requestedAt = Date.now();
      await cancelRun({ db, client: harness.client, runId: launched.runId });
      expect((await harness.waitForRun(launched.runId, 60_000)).status).toBe('CANCELLED');
      const elapsed = Date.now() - requestedAt;
      expect(elapsed).toBeLessThan(3 * heartbeatMs);
      const shards = await db.stageRun.findMany({
        where: { runId: launched.runId, stage: 'transform', shard: { gte: 0 } },
      });
      expect(shards.map((r) => [r.status, r.errorType])).toEqual([
        ['CANCELLED', 'CANCELLED'],
        ['CANCELLED', 'CANCELLED'],
      ]);
      // The activities really stopped: their progress no longer moves, and they ended before the run did.
      const run = await db.run.findUniqueOrThrow({ where: { id: launched.runId } });
      for (const shard of shards)
        expect(shard.finishedAt!.getTime()).toBeLessThanOrEqual(run.finishedAt!.getTime());
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const later = await db.stageRun.findMany({
        where: { runId: launched.runId, stage: 'transform', shard: { gte: 0 } },
      });
      expect(later.map((r) => r.progress)).toEqual(shards.map((r) => r.progress));
      expect(later.every((r) => r.progress < 1000)).toBe(true);
      const hash = await db.stageRun.findFirst({ where: { runId: launched.runId, stage: 'hash' } });
      expect(hash).toBeNull();
      const progress = await harness.client.workflow
        .getHandle(launched.workflowId)
        .query<{ status: string }>('progress');
      expect(progress.status).toBe('cancelled');
      console.log(`cancel took ${elapsed} ms`);
    });
  });
});
