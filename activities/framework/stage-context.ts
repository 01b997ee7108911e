import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import type { ArtifactRef } from '../../lib/stages/output.ts';
import type { RunStageInput } from './types.ts';
import {
  HeartbeatDetailsSchema,
  type ActivityDeps,
  type CheckpointRecord,
  type StageContext,
  type StageLogger,
  type StageProgress,
  type StageRunDetails,
} from './types.ts';
import { updateStageDetails, updateStageProgress, type AttemptKey } from './stage-runs.ts';

/** Minimum gap between StageRun progress writes: heartbeats can be far more frequent. */
const PROGRESS_WRITE_INTERVAL_MS = 1_000;
/** Lines kept for the `logs` command; a stage that logs more keeps the tail. */
const MAX_LOG_LINES = 5_000;

/** A stage context plus what the runner needs back from it after the implementation ends. */
export interface StageContextHandle {
  ctx: StageContext;
  published: Record<string, ArtifactRef>;
  details: StageRunDetails;
  logLines: string[];
  /** Waits for queued row writes (progress, checkpoint) to land. */
  flush(): Promise<void>;
}

/** Builds the context of one attempt. */
export function createStageContext(
  deps: ActivityDeps,
  input: RunStageInput,
  key: AttemptKey,
  workDir: string,
): StageContextHandle {
  const activity = Context.current();
  const producer = `${input.stage.name}@${input.stage.version}`;
  const details: StageRunDetails = {};
  const published: Record<string, ArtifactRef> = {};
  const logLines: string[] = [];
  let writes: Promise<void> = Promise.resolve();
  let lastProgressWrite = 0;
  let lastProgress: StageProgress | undefined;

  const queueWrite = (write: () => Promise<void>): void => {
    writes = writes.then(write).catch((error: unknown) => {
      activity.log.warn('stage bookkeeping write failed', { error: String(error) });
    });
  };
  const sendHeartbeat = (): void =>
    activity.heartbeat({ progress: lastProgress, checkpoint: details.checkpoint });
  const log = createLogger(activity, logLines, key);

  const heartbeat = (progress: StageProgress): void => {
    lastProgress = progress;
    sendHeartbeat();
    const now = Date.now();
    const isLast = progress.total !== undefined && progress.step >= progress.total;
    if (now - lastProgressWrite < PROGRESS_WRITE_INTERVAL_MS && !isLast) return;
    lastProgressWrite = now;
    queueWrite(() => updateStageProgress(deps.db, key, progress));
  };

  const upload = async (data: string | Uint8Array, kind: string, mediaType: string) => {
    const meta = { kind, mediaType, producer, runId: input.runId };
    return typeof data === 'string'
      ? deps.artifacts.putFile(data, meta)
      : deps.artifacts.putBytes(data, meta);
  };

  const ctx: StageContext = {
    runId: input.runId,
    stage: input.stage.name,
    shard: input.shard,
    shardCount: input.stage.shardCount,
    attempt: key.attempt,
    cacheKey: input.cacheKey,
    config: input.stage.slice,
    inputs: input.inputs,
    signal: activity.cancellationSignal,
    workDir,
    db: deps.db,
    artifacts: deps.artifacts,
    ...(deps.mlflow ? { mlflow: deps.mlflow } : {}),
    log,
    heartbeat,
    keepAlive: sendHeartbeat,
    async download(ref, fileName) {
      const dir = join(workDir, 'inputs');
      await mkdir(dir, { recursive: true });
      const dest = join(dir, fileName ?? ref.sha256);
      await deps.artifacts.getToFile(ref.sha256, dest);
      return dest;
    },
    async saveCheckpoint(data, meta) {
      const ref = await upload(data, 'checkpoint', 'application/octet-stream');
      const record: CheckpointRecord = { ref, step: meta.step, meta };
      details.checkpoint = record;
      sendHeartbeat();
      queueWrite(() => updateStageDetails(deps.db, key, { checkpoint: record }));
      await writes;
      return record;
    },
    async lastCheckpoint() {
      const found = await findLastCheckpoint(deps, input, key, activity.info.heartbeatDetails);
      if (found) {
        details.resumedFrom = found.resumedFrom;
        details.checkpoint = found.checkpoint;
        queueWrite(() => updateStageDetails(deps.db, key, { resumedFrom: found.resumedFrom }));
        log.info(
          `resuming from checkpoint at step ${found.checkpoint.step} (${found.resumedFrom.source})`,
        );
      }
      return found?.checkpoint;
    },
    async publish(name, data, kind, mediaType) {
      const ref = await upload(data, kind, mediaType);
      published[name] = ref;
      return ref;
    },
    async logMetric(metricKey, value, step = 0) {
      await deps.db.metric.create({
        data: { runId: input.runId, stage: input.stage.name, key: metricKey, value, step },
      });
      await deps.mlflow
        ?.logMetric({ runId: input.runId, stage: input.stage.name, key: metricKey, value, step })
        .catch((error: unknown) => log.warn('mlflow mirror failed', { error: String(error) }));
    },
  };
  return { ctx, published, details, logLines, flush: () => writes };
}

function createLogger(activity: Context, lines: string[], key: AttemptKey): StageLogger {
  const write =
    (level: 'info' | 'warn' | 'error') => (message: string, fields?: Record<string, unknown>) => {
      activity.log[level](message, {
        stage: key.stage,
        shard: key.shard,
        attempt: key.attempt,
        ...fields,
      });
      const suffix = fields ? ` ${JSON.stringify(fields)}` : '';
      lines.push(
        `${new Date().toISOString()} ${level} [${key.stage}${key.shard >= 0 ? `#${key.shard}` : ''} attempt ${key.attempt}] ${message}${suffix}`,
      );
      if (lines.length > MAX_LOG_LINES) lines.shift();
    };
  return { info: write('info'), warn: write('warn'), error: write('error') };
}

/**
 * The best restart point: this activity's previous attempt (heartbeat details) or any earlier
 * attempt with the same cache key, in this run or, unless forced, a failed earlier run (resume).
 * Same key = same stage code, config slice and inputs, so its partial result is valid here.
 */
async function findLastCheckpoint(
  deps: ActivityDeps,
  input: RunStageInput,
  key: AttemptKey,
  heartbeatDetails: unknown,
): Promise<
  | { checkpoint: CheckpointRecord; resumedFrom: NonNullable<StageRunDetails['resumedFrom']> }
  | undefined
> {
  const parsed = HeartbeatDetailsSchema.safeParse(heartbeatDetails);
  let best:
    | { checkpoint: CheckpointRecord; resumedFrom: NonNullable<StageRunDetails['resumedFrom']> }
    | undefined;
  if (parsed.success && parsed.data.checkpoint) {
    best = {
      checkpoint: parsed.data.checkpoint,
      resumedFrom: { step: parsed.data.checkpoint.step, source: 'heartbeat' },
    };
  }
  const rows = await deps.db.stageRun.findMany({
    where: {
      cacheKey: input.cacheKey,
      ...(input.force ? { runId: input.runId } : {}),
      NOT: { runId: key.runId, stage: key.stage, shard: key.shard, attempt: key.attempt },
    },
    orderBy: { createdAt: 'desc' },
    take: 20,
    select: { runId: true, outputs: true },
  });
  for (const row of rows) {
    const checkpoint = (row.outputs as StageRunDetails | null)?.checkpoint;
    if (checkpoint && (!best || checkpoint.step > best.checkpoint.step)) {
      const source = row.runId === input.runId ? 'earlier-attempt' : 'previous-run';
      best = { checkpoint, resumedFrom: { step: checkpoint.step, source, runId: row.runId } };
    }
  }
  return best;
}

/** Writes the attempt's own log lines to a file (for upload as the `log` artifact). */
export async function writeLogFile(workDir: string, lines: string[]): Promise<string> {
  const path = join(workDir, 'stage.log');
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}
