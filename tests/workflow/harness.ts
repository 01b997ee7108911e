import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { ArtifactStore } from '../../infra/s3/artifact-store.ts';
import { createTestDatabase, type TestDatabase } from '../../infra/db/test-database.ts';
import { loadEnv, type Env } from '../../lib/env.ts';
import { resolveConfig, type ResolvedConfig } from '../../lib/config/layering.ts';
import { getRecipe } from '../../lib/recipes/index.ts';
import type { ActivityDeps } from '../../activities/index.ts';
import { connectTemporal } from '../../workflows/client/connect.ts';
import { launchRun, type LaunchedRun } from '../../workflows/client/launch-run.ts';
import { createWorkers, WORKFLOWS_PATH, type WorkerGroup } from '../../workers/start-worker.ts';

let bundle: Promise<{ code: string }> | undefined;

/** Real services for one test file: a fresh database, the stack's Temporal and MinIO. */
export interface Harness {
  env: Env;
  database: TestDatabase;
  deps: ActivityDeps;
  client: Client;
  connection: NativeConnection;
  /** Unique task-queue prefix of this file. */
  prefix: string;
  /**
   * Stage work folders of this file's workers, removed on close: a worker a test SIGKILLs
   * never reaches the cleanup that removes its own.
   */
  scratchDir: string;
  workers(options?: { identity?: string; prefix?: string }): Promise<WorkerGroup>;
  launch(
    recipe: string,
    sets: string[],
    options?: { force?: boolean; historyThreshold?: number },
  ): Promise<LaunchedRun & { config: ResolvedConfig }>;
  waitForRun(runId: string, timeoutMs?: number): Promise<{ status: string; error: string | null }>;
  close(): Promise<void>;
}

let runtimeInstalled = false;

export async function createHarness(name: string): Promise<Harness> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const env = loadEnv();
  const database = await createTestDatabase();
  const artifacts = ArtifactStore.fromEnv(env, database.db);
  await artifacts.ensureBucket();
  const scratchDir = mkdtempSync(join(tmpdir(), 'rag-r1-harness-'));
  const deps: ActivityDeps = { db: database.db, artifacts, env, scratchDir };
  const client = await connectTemporal(env);
  const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
  bundle ??= bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  });
  const prefix = `t-${name}-${randomBytes(4).toString('hex')}-`;
  return {
    env,
    database,
    deps,
    client,
    connection,
    prefix,
    scratchDir,
    async workers(options = {}) {
      return createWorkers({
        queues: ['control', 'cpu', 'gpu'],
        taskQueuePrefix: options.prefix ?? prefix,
        deps,
        env,
        connection,
        workflowBundle: await bundle!,
        cpuConcurrency: 4,
        ...(options.identity ? { identity: options.identity } : {}),
      });
    },
    async launch(recipe, sets, options = {}) {
      const config = resolveConfig({ recipe: getRecipe(recipe), sets });
      const launched = await launchRun({
        db: database.db,
        client,
        config,
        taskQueuePrefix: prefix,
        ...options,
      });
      return { ...launched, config };
    },
    async waitForRun(runId, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const run = await database.db.run.findUniqueOrThrow({ where: { id: runId } });
        if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(run.status))
          return { status: run.status, error: run.error };
        if (Date.now() > deadline)
          throw new Error(`run ${runId} still ${run.status} after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    async close() {
      await connection.close();
      await client.connection.close();
      await database.drop();
      rmSync(scratchDir, { recursive: true, force: true });
    },
  };
}

/** A run's StageRun rows as plain objects, ordered for assertions. */
export async function stageRows(harness: Harness, runId: string) {
  return harness.database.db.stageRun.findMany({
    where: { runId },
    orderBy: [{ stage: 'asc' }, { shard: 'asc' }, { attempt: 'asc' }],
  });
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A worker in its own process (so a test can SIGKILL it) on the harness's queues and database;
 * resolves once it polls.
 */
export async function spawnWorkerProcess(
  harness: Harness,
  options: {
    identity: string;
    queues: string;
    extraArgs?: string[];
    /** Started once stderr says so (default: it mentions polling). */
    isReady?: (stderr: string) => boolean;
  },
): Promise<ChildProcess> {
  const args = ['--import', 'tsx', 'cli/main.ts', 'worker', '--queues', options.queues];
  args.push('--queue-prefix', harness.prefix, '--identity', options.identity);
  args.push(...(options.extraArgs ?? []));
  const isReady = options.isReady ?? ((text: string) => text.includes('polling'));
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    // The worker's stage folders go under os.tmpdir(), so into the harness's scratch folder.
    env: { ...process.env, DATABASE_URL: harness.database.url, TMPDIR: harness.scratchDir },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${stderr}`)), 60_000);
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (isReady(stderr)) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once('exit', (code) => reject(new Error(`worker exited with ${code}:\n${stderr}`)));
  });
  return proc;
}

/** Polls `probe` until it returns a value. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
