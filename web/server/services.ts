import type { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { Client } from '@temporalio/client';
import { createDb } from '../../infra/db/client.ts';
import { ArtifactStore } from '../../infra/s3/artifact-store.ts';
import type { Env } from '../../lib/env.ts';
import { LabError } from '../../lib/errors.ts';
import { connectTemporal } from '../../workflows/client/connect.ts';
import { compareRuns } from './adapters/compare.ts';
import { listRecipes, presetConfig, validateLaunch } from './adapters/config-plan.ts';
import { getRun, listRuns, registrySnapshot, runMetrics } from './adapters/registry-reads.ts';
import { runLogs } from './adapters/run-logs.ts';
import { cancelRun, launchRun, resumeRun } from './adapters/run-operations.ts';
import { createSweep, deleteSweep, listSweeps, setSweepPaused, triggerSweep } from './adapters/sweeps.ts';
import { trajectories } from './adapters/trajectory-records.ts';
import type { ArtifactDownload, WebServices } from './service-types.ts';

export type { WebServices } from './service-types.ts';

export type CreateServicesOptions = {
  /** Task queue prefix for the workflows this server starts (tests); default none. */
  taskQueuePrefix?: string;
};

/** Connects to Temporal on first use, so the UI still serves the registry when it is down. */
function lazyTemporal(env: Env): { get: () => Promise<Client>; close: () => Promise<void> } {
  let connecting: Promise<Client> | undefined;
  return {
    get: () => {
      connecting ??= connectTemporal(env).catch((error: unknown) => {
        connecting = undefined;
        throw error;
      });
      return connecting;
    },
    close: async () => {
      const client = await connecting?.catch(() => undefined);
      await client?.connection.close();
    },
  };
}

/**
 * The platform operations behind the web API: registry reads (Prisma) and artifacts here, and
 * the shared operations the CLI uses too (workflows/client/launch-run.ts, lib/config,
 * infra/eval/compare-query.ts, infra/eval/sweeps.ts) through thin adapters. Routes and UI only
 * see the WebServices interface.
 */
export function createServices(env: Env, options: CreateServicesOptions = {}): WebServices {
  const db = createDb(env.DATABASE_URL);
  const store = ArtifactStore.fromEnv(env, db);
  const temporal = lazyTemporal(env);
  const prefix = options.taskQueuePrefix ?? '';
  const runDeps = { db, temporal: temporal.get, taskQueuePrefix: prefix };
  const readArtifact = (sha256: string) => store.getBytes(sha256);

  return {
    listRecipes: async () => listRecipes(),
    presetConfig: async (recipe, preset) => presetConfig(recipe, preset),
    validateConfig: (request) => validateLaunch(db, request),
    launchRun: (request) => launchRun(runDeps, request),
    listRuns: (filter) => listRuns(db, filter),
    getRun: (runId) => getRun(db, env, runId),
    runMetrics: async (runId) => {
      await requireRun(db, runId);
      return runMetrics(db, runId);
    },
    runLogs: (runId) => runLogs(db, readArtifact, runId),
    resumeRun: (runId) => resumeRun(runDeps, runId),
    cancelRun: (runId) => cancelRun(runDeps, runId),
    compareRuns: (runIds) => compareRuns(db, runIds),
    trajectories: (request) => trajectories(db, readArtifact, request),
    listSweeps: () => listSweeps(runDeps),
    createSweep: (request) => createSweep(runDeps, request),
    pauseSweep: (id) => setSweepPaused(runDeps, id, true),
    resumeSweep: (id) => setSweepPaused(runDeps, id, false),
    triggerSweep: (id) => triggerSweep(runDeps, id),
    deleteSweep: (id) => deleteSweep(runDeps, id),
    openArtifact: (sha256) => openArtifact(db, store, sha256),
    snapshot: () => registrySnapshot(db),
    close: async () => {
      await temporal.close();
      await db.$disconnect();
    },
  };
}

async function requireRun(db: ReturnType<typeof createDb>, runId: string): Promise<void> {
  const run = await db.run.findUnique({ where: { id: runId }, select: { id: true } });
  if (!run) throw new LabError('NOT_FOUND', `run ${runId} not found`);
}

/**
 * Streams `artifacts/<sha256>` (the store's key, which asserts the hash format) for a
 * registered artifact only: the route can never name any other object in the bucket.
 */
async function openArtifact(db: ReturnType<typeof createDb>, store: ArtifactStore, sha256: string): Promise<ArtifactDownload> {
  const row = await db.artifact.findUnique({ where: { sha256 } });
  if (!row) throw new LabError('NOT_FOUND', `artifact ${sha256} is not registered`);
  const object = await store.client
    .send(new GetObjectCommand({ Bucket: store.bucket, Key: store.keyFor(sha256) }))
    .catch((error: unknown) => {
      throw new LabError('ARTIFACT_MISSING', `artifact ${sha256} is registered but not in the bucket (${(error as Error).name})`);
    });
  const extension = row.mediaType.includes('json') ? '.json' : row.mediaType.startsWith('text/') ? '.txt' : '';
  return {
    body: object.Body as Readable,
    bytes: Number(object.ContentLength ?? row.bytes),
    mediaType: row.mediaType,
    filename: `${row.kind.replace(/[^a-zA-Z0-9._-]/g, '_')}-${sha256.slice(0, 12)}${extension}`,
  };
}
