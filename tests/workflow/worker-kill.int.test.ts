import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StageRunDetails } from '../../activities/framework/types.ts';
import { createHarness, spawnWorkerProcess, stageRows, waitFor, type Harness } from './harness.ts';

let harness: Harness;
let child: ChildProcess | undefined;

beforeAll(async () => {
  harness = await createHarness('kill');
});
afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await harness?.close();
});

function spawnWorker(identity: string): Promise<ChildProcess> {
  return spawnWorkerProcess(harness, { identity, queues: 'control,cpu,gpu' });
}

const CONFIG = [
  'generate.records=1200',
  'transform.shards=1',
  'transform.rounds=2000',
  'transform.checkpointEvery=100',
  'seed=21',
];

describe('a worker killed mid-stage', () => {
  it('is replaced: the stage resumes from its checkpoint on a new worker and the outputs match an uninterrupted run', async () => {
    child = await spawnWorker('worker-A');
    const launched = await harness.launch('files-demo', CONFIG);
    const killedAt = await waitFor('a transform checkpoint at step >= 300', async () => {
      const row = await harness.database.db.stageRun.findFirst({
        where: { runId: launched.runId, stage: 'transform', attempt: 1 },
      });
      const step = (row?.outputs as StageRunDetails | null)?.checkpoint?.step ?? 0;
      return row?.status === 'RUNNING' && step >= 300 ? step : undefined;
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));

    const workers = await harness.workers({ identity: 'worker-B' });
    await workers.runUntil(async () => {
      expect((await harness.waitForRun(launched.runId, 180_000)).status).toBe('COMPLETED');
      const rows = await stageRows(harness, launched.runId);
      const transform = rows.filter((r) => r.stage === 'transform');
      expect(transform.map((r) => [r.attempt, r.status, r.workerIdentity])).toEqual([
        [1, 'FAILED', 'worker-A'],
        [2, 'COMPLETED', 'worker-B'],
      ]);
      expect(transform[0]?.errorType).toBe('ATTEMPT_LOST');
      const resumed = (transform[1]?.outputs as StageRunDetails).resumedFrom;
      expect(resumed?.step).toBeGreaterThanOrEqual(killedAt);
      expect(resumed?.step).toBeLessThan(1200);

      const fresh = await harness.launch('files-demo', CONFIG, { force: true });
      expect((await harness.waitForRun(fresh.runId, 180_000)).status).toBe('COMPLETED');
      const freshRows = await stageRows(harness, fresh.runId);
      const artifact = (list: typeof rows, stage: string, name: string) =>
        (
          list.find((r) => r.stage === stage && r.status === 'COMPLETED')
            ?.outputs as StageRunDetails
        ).output?.artifacts[name]?.sha256;
      expect(
        (freshRows.find((r) => r.stage === 'transform')?.outputs as StageRunDetails).resumedFrom,
      ).toBeUndefined();
      expect(artifact(rows, 'transform', 'transformed')).toBeDefined();
      expect(artifact(rows, 'transform', 'transformed')).toBe(
        artifact(freshRows, 'transform', 'transformed'),
      );
      expect(artifact(rows, 'hash', 'merkle')).toBe(artifact(freshRows, 'hash', 'merkle'));
    });
  });
});
