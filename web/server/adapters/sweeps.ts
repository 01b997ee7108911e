import type { Client } from '@temporalio/client';
import type { PrismaClient } from '../../../infra/db/client.ts';
import * as shared from '../../../infra/eval/sweeps.ts';
import type { SweepCreate, SweepView } from '../types.ts';

/**
 * Sweeps through the platform's own sweep operations (infra/eval/sweeps.ts, the CLI's
 * `rag-r1 sweep`); this adapter only shapes them for the page and connects lazily.
 */
export type SweepDeps = { db: PrismaClient; temporal: () => Promise<Client>; taskQueuePrefix?: string };

/** Results shown per sweep (newest first from the registry; the chart sorts by time). */
const RESULTS_PER_SWEEP = 200;

async function sharedDeps(deps: SweepDeps): Promise<shared.SweepDeps> {
  return { db: deps.db, client: await deps.temporal(), ...(deps.taskQueuePrefix ? { taskQueuePrefix: deps.taskQueuePrefix } : {}) };
}

async function viewOf(deps: SweepDeps, info: shared.SweepInfo): Promise<SweepView> {
  const results = await shared.sweepResults(deps, info.id, RESULTS_PER_SWEEP);
  return {
    id: info.id,
    name: info.name,
    schedule: info.spec.cron ? `cron ${info.spec.cron}` : `every ${info.spec.intervalSeconds}s`,
    paused: info.paused,
    overlap: info.spec.overlap,
    executions: info.executions,
    running: info.running,
    nextRuns: info.nextRuns,
    spec: info.spec,
    results: results.map((result) => ({
      at: result.createdAt.toISOString(),
      method: result.method,
      dataset: result.dataset,
      checkpoint: result.checkpoint,
      n: result.n,
      em: result.em,
      f1: result.f1,
    })),
  };
}

/** Every sweep with its schedule state and latest results. */
export async function listSweeps(deps: SweepDeps): Promise<SweepView[]> {
  const list = await shared.listSweeps(await sharedDeps(deps));
  return Promise.all(list.map((info) => viewOf(deps, info)));
}

/** Creates the Temporal schedule and its registry row from a sweep spec. */
export async function createSweep(deps: SweepDeps, request: SweepCreate): Promise<SweepView> {
  return viewOf(deps, await shared.createSweep(await sharedDeps(deps), request));
}

export async function setSweepPaused(deps: SweepDeps, id: string, isPaused: boolean): Promise<void> {
  await shared.setSweepPaused(await sharedDeps(deps), id, isPaused);
}

/** Starts one execution now with the sweep's own overlap policy. */
export async function triggerSweep(deps: SweepDeps, id: string): Promise<void> {
  await shared.triggerSweep(await sharedDeps(deps), id);
}

/** Deletes the schedule and its row; past results stay. */
export async function deleteSweep(deps: SweepDeps, id: string): Promise<void> {
  await shared.deleteSweep(await sharedDeps(deps), id);
}
