import { bundleWorkflowCode } from '@temporalio/worker';
import type { StageRunDetails } from '../../activities/framework/types.ts';
import { cancelRun } from '../../workflows/client/launch-run.ts';
import { createWorkers, WORKFLOWS_PATH, type WorkerGroup } from '../../workers/start-worker.ts';
import { stageRows, waitFor, type Harness } from '../workflow/harness.ts';

/**
 * Helpers for recipe tests that stop after the data stages: workers that poll only the control
 * and CPU queues (so sft-train never starts the trainer), waits on StageRun rows, and a cancel.
 */

export type StageRow = Awaited<ReturnType<typeof stageRows>>[number];

const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
let bundle: Promise<{ code: string }> | undefined;

/** In-process workers on the control and CPU queues of the harness's prefix. */
export async function cpuWorkers(harness: Harness, identity?: string): Promise<WorkerGroup> {
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: silent });
  return createWorkers({
    queues: ['control', 'cpu'],
    taskQueuePrefix: harness.prefix,
    deps: harness.deps,
    env: harness.env,
    connection: harness.connection,
    workflowBundle: await bundle,
    cpuConcurrency: 4,
    ...(identity ? { identity } : {}),
  });
}

/** Waits for a stage row in a final state; throws early when the run itself ended. */
export async function waitForStage(
  harness: Harness,
  runId: string,
  stage: string,
  timeoutMs = 120_000,
): Promise<StageRow> {
  return waitFor(
    `${stage} of ${runId} to finish`,
    async () => {
      const rows = await stageRows(harness, runId);
      const done = rows.find(
        (r) => r.stage === stage && r.shard === -1 && ['COMPLETED', 'CACHED'].includes(r.status),
      );
      if (done) return done;
      const run = await harness.database.db.run.findUniqueOrThrow({ where: { id: runId } });
      if (['FAILED', 'CANCELLED', 'COMPLETED'].includes(run.status)) {
        throw new Error(`run ${runId} ended ${run.status} before ${stage} finished: ${run.error}`);
      }
      return undefined;
    },
    timeoutMs,
  );
}

/** Cancels a run that the test has seen enough of and waits until it is marked CANCELLED. */
export async function stopRun(harness: Harness, runId: string): Promise<void> {
  await cancelRun({ db: harness.database.db, client: harness.client, runId });
  const final = await harness.waitForRun(runId, 60_000);
  if (final.status !== 'CANCELLED') throw new Error(`run ${runId} ended ${final.status}`);
}

/** The output summary of a finished stage row. */
export function summaryOf(row: StageRow | undefined): Record<string, unknown> {
  return (row?.outputs as StageRunDetails | null)?.output?.summary ?? {};
}

/** A stage row's details column. */
export function detailsOf(row: StageRow | undefined): StageRunDetails {
  return (row?.outputs as StageRunDetails | null) ?? {};
}
