import type { StageView, StageStatus } from '../types.ts';

/** The StageRun columns the stage graph needs. */
export type StageRunRow = {
  stage: string;
  shard: number;
  attempt: number;
  status: StageStatus;
  cacheHit: boolean;
  taskQueue: string;
  workerIdentity: string | null;
  progress: number;
  progressTotal: number | null;
  message: string | null;
  error: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
};

/** The latest attempt of each (stage, shard). */
function latestAttempts(rows: StageRunRow[]): StageRunRow[] {
  const latest = new Map<string, StageRunRow>();
  for (const row of rows) {
    const key = `${row.stage}#${row.shard}`;
    const seen = latest.get(key);
    if (!seen || row.attempt > seen.attempt) latest.set(key, row);
  }
  return [...latest.values()];
}

/** A sharded stage's status from its shards: any failure or run in flight dominates. */
function combinedStatus(statuses: StageStatus[]): StageStatus {
  for (const status of ['FAILED', 'RUNNING', 'CANCELLED', 'PENDING'] as const) {
    if (statuses.includes(status)) return status;
  }
  return statuses.every((status) => status === 'CACHED') ? 'CACHED' : 'COMPLETED';
}

function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}

function minDate(dates: Array<Date | null>): Date | null {
  const present = dates.filter((date): date is Date => date !== null);
  return present.length ? new Date(Math.min(...present.map((date) => date.getTime()))) : null;
}

function maxDate(dates: Array<Date | null>): Date | null {
  if (dates.some((date) => date === null)) return null;
  return new Date(Math.max(...dates.map((date) => (date as Date).getTime())));
}

function viewOf(stage: string, inputs: string[], rows: StageRunRow[]): StageView {
  const whole = rows.find((row) => row.shard < 0);
  const shards = rows.filter((row) => row.shard >= 0);
  const isWholeDone = whole && (whole.status === 'COMPLETED' || whole.status === 'CACHED');
  const parts = shards.length > 0 && !isWholeDone ? shards : whole ? [whole] : shards;
  const total = parts.reduce((sum, row) => sum + (row.progressTotal ?? 0), 0);
  const head = whole ?? parts[0];
  return {
    stage,
    inputs,
    status: whole && (isWholeDone || shards.length === 0) ? whole.status : combinedStatus(parts.map((row) => row.status)),
    attempt: Math.max(...rows.map((row) => row.attempt)),
    shards: shards.length,
    progress: parts.reduce((sum, row) => sum + row.progress, 0),
    progressTotal: total > 0 ? total : null,
    cacheHit: parts.every((row) => row.cacheHit),
    taskQueue: [...new Set(parts.map((row) => row.taskQueue))].join(', ') || (head?.taskQueue ?? ''),
    workerIdentity: [...new Set(parts.map((row) => row.workerIdentity).filter(Boolean))].join(', ') || null,
    message: head?.message ?? null,
    error: parts.find((row) => row.error)?.error ?? null,
    startedAt: iso(minDate(parts.map((row) => row.startedAt))),
    finishedAt: iso(maxDate(parts.map((row) => row.finishedAt))),
  };
}

/**
 * One view per stage, in the recipe's order, with stages that have not started shown as
 * PENDING on their planned queue, so the graph is complete from the first second.
 */
export function buildStageViews(
  rows: StageRunRow[],
  planned: Array<{ name: string; queue: string; inputs: string[] }>,
): StageView[] {
  const byStage = new Map<string, StageRunRow[]>();
  for (const row of latestAttempts(rows)) {
    byStage.set(row.stage, [...(byStage.get(row.stage) ?? []), row]);
  }
  const names = [...planned.map((stage) => stage.name), ...[...byStage.keys()].filter((name) => !planned.some((stage) => stage.name === name))];
  return names.map((name) => {
    const plan = planned.find((stage) => stage.name === name);
    const inputs = plan?.inputs ?? [];
    const stageRows = byStage.get(name);
    if (stageRows) return viewOf(name, inputs, stageRows);
    return {
      stage: name, inputs, status: 'PENDING', attempt: 0, shards: 0, progress: 0, progressTotal: null, cacheHit: false,
      taskQueue: plan?.queue ?? '', workerIdentity: null, message: null, error: null, startedAt: null, finishedAt: null,
    };
  });
}
