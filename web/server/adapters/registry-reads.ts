import { createHash } from 'node:crypto';
import type { Env } from '../../../lib/env.ts';
import { LabError } from '../../../lib/errors.ts';
import { RECIPES } from '../../../lib/recipes/index.ts';
import { topologicalOrder } from '../../../lib/stages/graph.ts';
import type { PrismaClient } from '../../../infra/db/client.ts';
import type { Prisma } from '../../../prisma/generated/client.ts';
import type { ArtifactView, EvalRow, MetricSeries, RunDetail, RunFilter, RunSummary } from '../types.ts';
import { buildStageViews } from './stage-views.ts';

type RunWithExperiment = Prisma.RunGetPayload<{ include: { experiment: true } }>;

/** Latest value of every metric of the given runs, plus the mean policy EM/F1 over datasets. */
async function headlineMetrics(db: PrismaClient, runIds: string[]): Promise<Map<string, Record<string, number>>> {
  const result = new Map<string, Record<string, number>>(runIds.map((id) => [id, {}]));
  if (runIds.length === 0) return result;
  const latest = await db.$queryRaw<Array<{ runId: string; key: string; value: number }>>`
    SELECT DISTINCT ON ("runId", "key") "runId", "key", "value" FROM "Metric"
    WHERE "runId" = ANY(${runIds}) ORDER BY "runId", "key", "step" DESC, "id" DESC`;
  for (const row of latest) {
    const metrics = result.get(row.runId);
    if (metrics) metrics[row.key] = Number(row.value);
  }
  const evals = await db.evalResult.groupBy({
    by: ['runId'],
    where: { runId: { in: runIds }, method: 'policy' },
    _avg: { em: true, f1: true },
  });
  for (const row of evals) {
    const metrics = row.runId ? result.get(row.runId) : undefined;
    if (!metrics) continue;
    if (row._avg.em !== null) metrics['eval/em'] = row._avg.em;
    if (row._avg.f1 !== null) metrics['eval/f1'] = row._avg.f1;
  }
  return result;
}

function summaryOf(run: RunWithExperiment, metrics: Record<string, number>): RunSummary {
  return {
    id: run.id,
    workflowId: run.workflowId,
    experimentName: run.experiment.name,
    recipe: run.experiment.recipe,
    preset: run.experiment.preset,
    status: run.status,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    resumedFromId: run.resumedFromId,
    metrics,
  };
}

/** Runs, newest first, filtered by status, recipe and a free-text search. */
export async function listRuns(db: PrismaClient, filter: RunFilter): Promise<RunSummary[]> {
  const search = filter.search;
  const where: Prisma.RunWhereInput = {
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.recipe ? { experiment: { recipe: filter.recipe } } : {}),
    ...(search
      ? {
          OR: [
            { id: { contains: search, mode: 'insensitive' } },
            { workflowId: { contains: search, mode: 'insensitive' } },
            { experiment: { name: { contains: search, mode: 'insensitive' } } },
            { experiment: { recipe: { contains: search, mode: 'insensitive' } } },
          ],
        }
      : {}),
  };
  const runs = await db.run.findMany({ where, include: { experiment: true }, orderBy: { createdAt: 'desc' }, take: filter.limit });
  const metrics = await headlineMetrics(db, runs.map((run) => run.id));
  return runs.map((run) => summaryOf(run, metrics.get(run.id) ?? {}));
}

function plannedStages(recipe: string): Array<{ name: string; queue: string; inputs: string[] }> {
  const definition = RECIPES[recipe];
  if (!definition) return [];
  try {
    return topologicalOrder(definition.stages).map((stage) => ({ name: stage.name, queue: stage.queue, inputs: [...stage.inputs] }));
  } catch {
    return [];
  }
}

function evalRows(rows: Array<{ dataset: string; method: string; n: number; em: number; f1: number }>): EvalRow[] {
  return rows.map(({ dataset, method, n, em, f1 }) => ({ dataset, method, n, em, f1 }));
}

/** One run with its stages, artifacts, evaluation results and outside links. */
export async function getRun(db: PrismaClient, env: Env, runId: string): Promise<RunDetail> {
  const run = await db.run.findUnique({
    where: { id: runId },
    include: { experiment: true, stageRuns: true, evalResults: { orderBy: [{ dataset: 'asc' }, { method: 'asc' }] } },
  });
  if (!run) throw new LabError('NOT_FOUND', `run ${runId} not found`);
  const [metrics, artifacts] = await Promise.all([
    headlineMetrics(db, [run.id]),
    db.artifact.findMany({ where: { runId }, orderBy: { createdAt: 'asc' } }),
  ]);
  const namespace = encodeURIComponent(env.TEMPORAL_NAMESPACE);
  return {
    ...summaryOf(run, metrics.get(run.id) ?? {}),
    config: run.experiment.config,
    error: run.error,
    stages: buildStageViews(run.stageRuns, plannedStages(run.experiment.recipe)),
    artifacts: artifacts.map((artifact): ArtifactView => ({
      sha256: artifact.sha256,
      kind: artifact.kind,
      bytes: Number(artifact.bytes),
      mediaType: artifact.mediaType,
      producer: artifact.producer,
    })),
    evals: evalRows(run.evalResults),
    links: {
      temporal: `${env.TEMPORAL_UI_URL}/namespaces/${namespace}/workflows/${encodeURIComponent(run.workflowId)}`,
      mlflow: run.mlflowRunId ? `${env.MLFLOW_TRACKING_URI}/#/runs/${encodeURIComponent(run.mlflowRunId)}` : null,
    },
  };
}

/** Every metric of a run as series by key, in step order (at most 2,000 points per key). */
export async function runMetrics(db: PrismaClient, runId: string): Promise<MetricSeries[]> {
  const rows = await db.metric.findMany({
    where: { runId },
    select: { key: true, step: true, value: true },
    orderBy: [{ key: 'asc' }, { step: 'asc' }, { id: 'asc' }],
  });
  const byKey = new Map<string, Array<{ step: number; value: number }>>();
  for (const row of rows) byKey.set(row.key, [...(byKey.get(row.key) ?? []), { step: row.step, value: row.value }]);
  return [...byKey].map(([key, points]) => {
    const stride = Math.ceil(points.length / 2000);
    return { key, points: stride > 1 ? points.filter((_, index) => index % stride === 0 || index === points.length - 1) : points };
  });
}

/**
 * Version strings of what the UI shows: the runs list, each recent run (status, stage rows,
 * metric count) and the sweeps. One round of three queries per poll, whatever the page.
 */
export async function registrySnapshot(db: PrismaClient): Promise<Record<string, string>> {
  const runs = await db.$queryRaw<Array<{ id: string; version: string }>>`
    SELECT r."id",
      r."status"::text || ':' || coalesce(r."finishedAt"::text, '') || ':' ||
      coalesce((SELECT md5(string_agg(s."status"::text || s."progress"::text || s."attempt"::text, ',' ORDER BY s."id"))
        FROM "StageRun" s WHERE s."runId" = r."id"), '') || ':' ||
      (SELECT count(*) FROM "Metric" m WHERE m."runId" = r."id")::text || ':' ||
      (SELECT count(*) FROM "EvalResult" e WHERE e."runId" = r."id")::text AS version
    FROM "Run" r ORDER BY r."createdAt" DESC LIMIT 200`;
  const sweeps = await db.$queryRaw<Array<{ version: string | null }>>`
    SELECT coalesce(md5(string_agg(s."id" || s."paused"::text, ',' ORDER BY s."id")), '') || ':' ||
      (SELECT count(*) FROM "EvalResult" e WHERE e."scheduleId" IS NOT NULL)::text AS version
    FROM "Schedule" s`;
  const snapshot: Record<string, string> = {
    runs: createHash('sha256').update(runs.map((run) => `${run.id}=${run.version}`).join('|')).digest('hex').slice(0, 16),
    sweeps: sweeps[0]?.version ?? '',
  };
  for (const run of runs) snapshot[`run:${run.id}`] = run.version;
  return snapshot;
}
