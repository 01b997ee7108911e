import type { StagePlan } from '../../lib/stages/types.ts';
import { stageWallMs } from '../../lib/stages/wall-time.ts';

/** The StageRun columns the view needs. */
export interface StageRunRow {
  stage: string;
  shard: number;
  attempt: number;
  status: string;
  cacheHit: boolean;
  workerIdentity: string | null;
  progress: number;
  progressTotal: number | null;
  message: string | null;
  error: string | null;
  errorType: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** One line of `show`'s stage table. */
export interface StageView {
  stage: string;
  queue: string;
  status: string;
  attempts: number;
  shards: string;
  done: number;
  total: number | null;
  worker: string;
  durationMs: number | null;
  error: string;
}

function latestPerShard(rows: StageRunRow[]): Map<number, StageRunRow> {
  const latest = new Map<number, StageRunRow>();
  for (const row of rows) {
    const current = latest.get(row.shard);
    if (!current || row.attempt > current.attempt) latest.set(row.shard, row);
  }
  return latest;
}

/**
 * Folds a run's StageRun rows (every attempt, every shard) into one line per planned stage:
 * the aggregate row when the stage finished, otherwise the shards' latest attempts.
 */
export function buildStageViews(
  plan: StagePlan[],
  rows: StageRunRow[],
  now: number = Date.now(),
): StageView[] {
  return plan.map((stage) => {
    const own = rows.filter((row) => row.stage === stage.name);
    const latest = latestPerShard(own);
    const whole = latest.get(-1);
    const shardRows = [...latest.entries()].filter(([shard]) => shard >= 0).map(([, row]) => row);
    const attempts = own.reduce((max, row) => Math.max(max, row.attempt), 0);
    const failed = own.filter((row) => row.status === 'FAILED').at(-1);
    let status = whole?.status ?? 'PENDING';
    if (!whole && shardRows.length > 0) {
      const statuses = new Set(shardRows.map((row) => row.status));
      status = statuses.has('FAILED')
        ? 'FAILED'
        : statuses.has('CANCELLED')
          ? 'CANCELLED'
          : 'RUNNING';
    }
    const isSharded = stage.shardCount > 0;
    const finishedShards = shardRows.filter(
      (row) => row.status === 'COMPLETED' || row.status === 'CACHED',
    ).length;
    const progressRows = isSharded ? shardRows : whole ? [whole] : [];
    const done =
      isSharded && whole
        ? stage.shardCount
        : isSharded
          ? finishedShards + partial(shardRows)
          : (whole?.progress ?? 0);
    const total = isSharded ? stage.shardCount : (whole?.progressTotal ?? null);
    const isFinished = status === 'COMPLETED' || status === 'CACHED';
    return {
      stage: stage.name,
      queue: stage.gpuClass ? `gpu-${stage.gpuClass}` : stage.queue,
      status: whole?.cacheHit ? 'CACHED' : status,
      attempts,
      shards: isSharded
        ? `${whole && isFinished ? stage.shardCount : finishedShards}/${stage.shardCount}`
        : '',
      done: isFinished && total ? total : done,
      total: isFinished && !total ? 1 : total,
      worker: [...new Set(progressRows.map((row) => row.workerIdentity).filter(Boolean))].join(','),
      durationMs: stageWallMs(
        own.filter((row) => !row.cacheHit),
        { isOpen: status === 'RUNNING', now },
      ),
      error: !isFinished && failed ? `${failed.errorType ?? 'Error'}: ${failed.error ?? ''}` : '',
    };
  });
}

/** Fractional progress of the shards not finished (running, or stopped part-way). */
function partial(rows: StageRunRow[]): number {
  return rows
    .filter((row) => row.status !== 'COMPLETED' && row.status !== 'CACHED' && row.progressTotal)
    .reduce((sum, row) => sum + row.progress / (row.progressTotal ?? 1), 0);
}
