import { mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type { StageRunDetails } from '../../activities/framework/types.ts';
import { createTestDatabase } from '../../infra/db/test-database.ts';
import { ArtifactStore } from '../../infra/s3/artifact-store.ts';
import { resolveConfig } from '../../lib/config/layering.ts';
import { loadEnv } from '../../lib/env.ts';
import { getRecipe } from '../../lib/recipes/index.ts';
import { connectTemporal } from '../../workflows/client/connect.ts';
import { launchRun } from '../../workflows/client/launch-run.ts';
import type { ExperimentResult } from '../../workflows/experiment-state.ts';
import { createWorkers, WORKFLOWS_PATH } from '../../workers/start-worker.ts';
import { summarize } from './stats.ts';

/**
 * Orchestration overhead per stage: 100 trivial stages in a chain, on the local stack. For each
 * stage, overhead = (workflow sees the result − workflow launches the stage) − time inside the
 * implementation: the cache-key lookup, schedule-to-start, StageRun/StageCache bookkeeping and
 * the result's trip back. Reported for executed stages (--force) and for cache hits.
 */
const RESULTS = fileURLToPath(new URL('../results/orchestration.json', import.meta.url));

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const env = loadEnv();
  const database = await createTestDatabase();
  const artifacts = ArtifactStore.fromEnv(env, database.db);
  const client = await connectTemporal(env);
  const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
  const prefix = `bench-${randomBytes(4).toString('hex')}-`;
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: new DefaultLogger('WARN'),
  });
  const workers = await createWorkers({
    queues: ['control', 'cpu'],
    taskQueuePrefix: prefix,
    deps: { db: database.db, artifacts, env },
    env,
    connection,
    workflowBundle,
  });
  const config = resolveConfig({ recipe: getRecipe('bench-chain'), sets: [`nonce="${prefix}"`] });
  const runOnce = async (force: boolean) => {
    const started = Date.now();
    const launched = await launchRun({
      db: database.db,
      client,
      config,
      force,
      taskQueuePrefix: prefix,
    });
    const result = (await client.workflow
      .getHandle(launched.workflowId)
      .result()) as ExperimentResult;
    return { runId: launched.runId, wallMs: Date.now() - started, result };
  };
  try {
    const report = await workers.runUntil(async () => {
      await runOnce(true); // warm-up: bundle load, connections, prepared statements
      const executed = await runOnce(true);
      const cached = await runOnce(false);
      return {
        executed: await measure(database.db, executed),
        cached: await measure(database.db, cached),
      };
    });
    const output = {
      benchmark: 'orchestration',
      stages: 100,
      host: `${process.platform} ${process.arch}`,
      at: new Date().toISOString(),
      ...report,
    };
    mkdirSync(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true });
    writeFileSync(RESULTS, `${JSON.stringify(output, null, 2)}\n`);
    console.log(JSON.stringify(output, null, 2));
    console.log(`wrote ${RESULTS}`);
  } finally {
    await connection.close();
    await client.connection.close();
    await database.drop();
  }
}

async function measure(
  db: Awaited<ReturnType<typeof createTestDatabase>>['db'],
  run: { runId: string; wallMs: number; result: ExperimentResult },
) {
  const rows = await db.stageRun.findMany({ where: { runId: run.runId } });
  const overhead: number[] = [];
  const scheduleToStart: number[] = [];
  const bookkeeping: number[] = [];
  for (const [name, info] of Object.entries(run.result.stages)) {
    const timing = (rows.find((row) => row.stage === name)?.outputs as StageRunDetails | null)
      ?.timing;
    const implMs =
      timing?.implStartedAt && timing.implEndedAt ? timing.implEndedAt - timing.implStartedAt : 0;
    if (info.launchedAt !== undefined && info.finishedAt !== undefined)
      overhead.push(info.finishedAt - info.launchedAt - implMs);
    if (timing) {
      scheduleToStart.push(timing.startedAt - timing.scheduledAt);
      if (timing.implStartedAt) bookkeeping.push(timing.implStartedAt - timing.startedAt);
    }
  }
  return {
    runId: run.runId,
    wallMs: run.wallMs,
    perStageWallMs: Math.round((run.wallMs / 100) * 10) / 10,
    overheadMs: summarize(overhead),
    ...(scheduleToStart.length
      ? {
          runStageScheduleToStartMs: summarize(scheduleToStart),
          runStageBookkeepingBeforeImplMs: summarize(bookkeeping),
        }
      : {}),
  };
}

await main();
