import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, spawnWorkerProcess, stageRows, type Harness } from './harness.ts';

let harness: Harness;
let supervisor: ChildProcess | undefined;

beforeAll(async () => {
  harness = await createHarness('procs');
});
afterAll(async () => {
  // On a failed assertion: SIGKILL leaves the workers to notice their supervisor is gone.
  if (supervisor && supervisor.exitCode === null) supervisor.kill('SIGKILL');
  await harness?.close();
});

describe('rag-r1 worker --processes 2', () => {
  it('runs CPU stage shards in both processes and stops both on SIGTERM', async () => {
    supervisor = await spawnWorkerProcess(harness, {
      identity: 'wp',
      queues: 'control,cpu,gpu',
      // One CPU stage per process, so four shards cannot all land in one.
      extraArgs: ['--processes', '2', '--cpu-concurrency', '1'],
      isReady: (stderr) => stderr.includes('wp-p0 polling') && stderr.includes('wp-p1 polling'),
    });
    const launched = await harness.launch('files-demo', [
      'generate.records=2000',
      'transform.shards=4',
      'transform.rounds=300',
      'seed=5',
    ]);
    expect((await harness.waitForRun(launched.runId, 180_000)).status).toBe('COMPLETED');
    const rows = await stageRows(harness, launched.runId);
    // Rows without a worker are bookkeeping (a sharded stage's own row); every ran row has one.
    const ran = rows.filter((row) => row.workerIdentity !== null);
    const transformWorkers = new Set(
      ran.filter((row) => row.stage === 'transform').map((row) => row.workerIdentity),
    );
    expect([...transformWorkers].sort()).toEqual(['wp-p0', 'wp-p1']);
    expect(ran.every((row) => ['wp-p0', 'wp-p1'].includes(row.workerIdentity as string))).toBe(
      true,
    );

    // The supervisor exits only once both workers have.
    const exited = new Promise<number | null>((resolve) => supervisor!.once('exit', resolve));
    supervisor.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
