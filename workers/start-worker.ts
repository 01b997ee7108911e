import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.ts';
import { createMlflowMirror } from '../activities/framework/mlflow-mirror.ts';
import { defaultWorkerIdentity } from '../activities/framework/run-stage.ts';
import type { Env } from '../lib/env.ts';
import { ServiceUnavailableError } from '../lib/errors.ts';
import { taskQueueName } from '../lib/stages/queue-defaults.ts';
import type { QueueKind } from '../lib/stages/types.ts';
import { createGpuLease } from './gpu-lease.ts';

/** The workflow bundle's entry; Temporal's bundler compiles the TypeScript itself. */
export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

const HEARTBEAT_THROTTLE_MS = 1_000;

/** Options of `createWorkers`/`startWorker`. */
export interface StartWorkerOptions {
  queues: QueueKind[];
  /** Advertised GPU class: the worker also polls `gpu-<class>`. */
  gpuClass?: string;
  /** GPUs on this host: the cap on concurrent GPU stages (default 1: CPU fallback). */
  gpuCount?: number;
  /** Concurrent CPU stages (default: the number of cores). */
  cpuConcurrency?: number;
  taskQueuePrefix?: string;
  deps: ActivityDeps;
  env: Env;
  connection?: NativeConnection;
  /** A prebuilt bundle (tests build one per file instead of one per worker). */
  workflowBundle?: { code: string };
  identity?: string;
}

/** The Temporal workers of one process, one per task queue. */
export interface WorkerGroup {
  workers: Worker[];
  taskQueues: string[];
  /** Runs every worker until shutdown (SIGINT/SIGTERM or `shutdown()`). */
  run(): Promise<void>;
  shutdown(): void;
  /** Runs `fn` while the workers poll, then shuts them down (tests). */
  runUntil<T>(fn: () => Promise<T>): Promise<T>;
}

async function connect(env: Env): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
  } catch (error) {
    throw new ServiceUnavailableError(
      `Temporal at TEMPORAL_ADDRESS=${env.TEMPORAL_ADDRESS} is unreachable (${(error as Error).message}); start it with \`rag-r1 stack up\``,
    );
  }
}

/** The task queues a worker polls, with their activity concurrency. */
export function planWorkerQueues(
  options: Pick<
    StartWorkerOptions,
    'queues' | 'gpuClass' | 'gpuCount' | 'cpuConcurrency' | 'taskQueuePrefix'
  >,
) {
  const prefix = options.taskQueuePrefix ?? '';
  const planned: Array<{ kind: QueueKind; taskQueue: string; maxActivities: number }> = [];
  for (const kind of new Set(options.queues)) {
    if (kind === 'control')
      planned.push({ kind, taskQueue: taskQueueName('control', prefix), maxActivities: 50 });
    if (kind === 'cpu') {
      planned.push({
        kind,
        taskQueue: taskQueueName('cpu', prefix),
        maxActivities: options.cpuConcurrency ?? availableParallelism(),
      });
    }
    if (kind === 'gpu') {
      const gpus = options.gpuCount ?? 1;
      planned.push({ kind, taskQueue: taskQueueName('gpu', prefix), maxActivities: gpus });
      if (options.gpuClass)
        planned.push({
          kind,
          taskQueue: taskQueueName('gpu', prefix, options.gpuClass),
          maxActivities: gpus,
        });
    }
  }
  return planned;
}

/** Creates one worker per queue; the control worker also runs the workflows. */
export async function createWorkers(options: StartWorkerOptions): Promise<WorkerGroup> {
  const connection = options.connection ?? (await connect(options.env));
  const identity = options.identity ?? defaultWorkerIdentity();
  const gpus = createGpuLease(options.gpuCount ?? 1, options.gpuClass);
  const activities = createActivities({ ...options.deps, workerIdentity: identity, gpus });
  const workers: Worker[] = [];
  const planned = planWorkerQueues(options);
  for (const queue of planned) {
    const base: WorkerOptions = {
      connection,
      namespace: options.env.TEMPORAL_NAMESPACE,
      taskQueue: queue.taskQueue,
      identity,
      activities,
      maxConcurrentActivityTaskExecutions: queue.maxActivities,
      // Heartbeats leave at most every second (default: 80% of the heartbeat timeout), so a busy
      // host does not miss a timeout and cancellation reaches a stage within about a second.
      maxHeartbeatThrottleInterval: HEARTBEAT_THROTTLE_MS,
    };
    if (queue.kind === 'control') {
      Object.assign(
        base,
        options.workflowBundle
          ? { workflowBundle: options.workflowBundle }
          : { workflowsPath: WORKFLOWS_PATH },
      );
    }
    workers.push(await Worker.create(base));
  }
  const shutdown = () => {
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  const run = async () => {
    await Promise.all(workers.map((worker) => worker.run()));
    if (!options.connection) await connection.close();
  };
  return {
    workers,
    taskQueues: planned.map((queue) => queue.taskQueue),
    run,
    shutdown,
    async runUntil(fn) {
      const running = run();
      try {
        return await fn();
      } finally {
        shutdown();
        await running;
      }
    },
  };
}

/**
 * Builds the worker dependencies from the environment: PostgreSQL, S3 and, when the tracking
 * server answers at start, the MLflow metric mirror (a down MLflow must not slow every stage).
 */
export async function createWorkerDeps(
  env: Env,
  options: { mlflow?: boolean } = {},
): Promise<ActivityDeps> {
  const { createDb } = await import('../infra/db/client.ts');
  const { ArtifactStore } = await import('../infra/s3/artifact-store.ts');
  const db = createDb(env.DATABASE_URL);
  const deps: ActivityDeps = { db, artifacts: ArtifactStore.fromEnv(env, db), env };
  if (options.mlflow === false) return deps;
  const { MlflowClient } = await import('../infra/mlflow/client.ts');
  const mlflow = new MlflowClient({
    trackingUri: env.MLFLOW_TRACKING_URI,
    timeoutMs: 5_000,
    retry: { attempts: 1 },
  });
  try {
    await mlflow.getOrCreateExperiment('rag-r1');
    deps.mlflow = createMlflowMirror(MlflowClient.fromEnv(env), db);
  } catch (error) {
    console.error(
      `rag-r1 worker: MLflow at ${env.MLFLOW_TRACKING_URI} unavailable, metrics stay in PostgreSQL only (${(error as Error).message})`,
    );
  }
  return deps;
}

/** Starts the workers of this process and runs them until SIGINT/SIGTERM. */
export async function startWorker(
  options: Omit<StartWorkerOptions, 'deps'> & { deps?: ActivityDeps; mlflow?: boolean },
): Promise<void> {
  const deps =
    options.deps ?? (await createWorkerDeps(options.env, { mlflow: options.mlflow ?? true }));
  const group = await createWorkers({ ...options, deps });
  console.error(
    `rag-r1 worker ${options.identity ?? defaultWorkerIdentity()} polling ${group.taskQueues.join(', ')}`,
  );
  await group.run();
  await deps.db.$disconnect();
}
