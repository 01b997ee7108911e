import type { PrismaClient } from '../../prisma/generated/client.ts';
import type { StageStatus } from '../../prisma/generated/enums.ts';
import type { StageRunDetails } from './types.ts';

/** Identifies one attempt's row. */
export interface AttemptKey {
  runId: string;
  stage: string;
  shard: number;
  attempt: number;
}

/** Options of `recordStageStart`. */
export interface RecordStageStartOptions extends AttemptKey {
  cacheKey: string;
  taskQueue: string;
  workerIdentity?: string;
  details?: StageRunDetails;
}

/** Writes (or re-arms, on a re-delivered task) the RUNNING row of one attempt. */
export async function recordStageStart(
  db: PrismaClient,
  options: RecordStageStartOptions,
): Promise<void> {
  const { runId, stage, shard, attempt } = options;
  const fields = {
    status: 'RUNNING' as const,
    cacheKey: options.cacheKey,
    taskQueue: options.taskQueue,
    workerIdentity: options.workerIdentity ?? null,
    startedAt: new Date(),
    outputs: (options.details ?? {}) as object,
  };
  await db.stageRun.upsert({
    where: { runId_stage_shard_attempt: { runId, stage, shard, attempt } },
    create: { runId, stage, shard, attempt, ...fields },
    update: fields,
  });
}

/**
 * Closes earlier attempts still marked RUNNING: their worker died or lost its heartbeat, and
 * Temporal has already moved on to this attempt.
 */
export async function closeLostAttempts(db: PrismaClient, key: AttemptKey): Promise<number> {
  const { count } = await db.stageRun.updateMany({
    where: {
      runId: key.runId,
      stage: key.stage,
      shard: key.shard,
      attempt: { lt: key.attempt },
      status: 'RUNNING',
    },
    data: {
      status: 'FAILED',
      errorType: 'ATTEMPT_LOST',
      error: 'attempt lost: no heartbeat before the timeout (worker killed or disconnected)',
      finishedAt: new Date(),
    },
  });
  return count;
}

/** Options of `recordStageFinish`. */
export interface RecordStageFinishOptions extends AttemptKey {
  status: Extract<StageStatus, 'COMPLETED' | 'FAILED' | 'CANCELLED'>;
  details?: StageRunDetails;
  error?: string;
  errorType?: string;
}

/** Closes one attempt's row with its outcome. */
export async function recordStageFinish(
  db: PrismaClient,
  options: RecordStageFinishOptions,
): Promise<void> {
  const { runId, stage, shard, attempt } = options;
  const data: Record<string, unknown> = {
    status: options.status,
    finishedAt: new Date(),
    error: options.error ?? null,
    errorType: options.errorType ?? null,
  };
  if (options.details) data.outputs = options.details as object;
  if (options.status === 'COMPLETED') data.message = null;
  await db.stageRun.updateMany({ where: { runId, stage, shard, attempt }, data });
}

/** Merges fields into an attempt row's `outputs` JSON (checkpoint, resume point). */
export async function updateStageDetails(
  db: PrismaClient,
  key: AttemptKey,
  patch: Partial<StageRunDetails>,
): Promise<void> {
  const row = await db.stageRun.findUnique({
    where: { runId_stage_shard_attempt: key },
    select: { outputs: true },
  });
  const current = (row?.outputs ?? {}) as StageRunDetails;
  await db.stageRun.update({
    where: { runId_stage_shard_attempt: key },
    data: { outputs: { ...current, ...patch } as object },
  });
}

/** Writes the latest progress of an attempt. */
export async function updateStageProgress(
  db: PrismaClient,
  key: AttemptKey,
  progress: { step: number; total?: number; message?: string },
): Promise<void> {
  await db.stageRun.updateMany({
    where: { ...key, status: 'RUNNING' },
    data: {
      progress: progress.step,
      progressTotal: progress.total ?? null,
      message: progress.message ?? null,
    },
  });
}

/** Options of `recordCachedStage`. */
export interface RecordCachedStageOptions {
  runId: string;
  stage: string;
  shard: number;
  cacheKey: string;
  taskQueue: string;
  details: StageRunDetails;
  status?: 'CACHED' | 'COMPLETED';
}

/** Records a stage (or a sharded stage's aggregate) satisfied without running an attempt. */
export async function recordCachedStage(
  db: PrismaClient,
  options: RecordCachedStageOptions,
): Promise<void> {
  const { runId, stage, shard } = options;
  const now = new Date();
  const status = options.status ?? 'CACHED';
  const fields = {
    status,
    cacheKey: options.cacheKey,
    cacheHit: status === 'CACHED',
    taskQueue: options.taskQueue,
    outputs: options.details as object,
    progress: 1,
    progressTotal: 1,
    startedAt: now,
    finishedAt: now,
  };
  await db.stageRun.upsert({
    where: { runId_stage_shard_attempt: { runId, stage, shard, attempt: 1 } },
    create: { runId, stage, shard, attempt: 1, ...fields },
    update: fields,
  });
}
