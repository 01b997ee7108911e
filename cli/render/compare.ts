import type { PrismaClient } from '../../prisma/generated/client.ts';
import { ConfigError } from '../../lib/errors.ts';
import { renderTable } from './table.ts';

/** Metrics of several runs side by side: one row per metric, one column per run. */
export interface RunComparison {
  runs: Array<{ id: string; experiment: string; status: string }>;
  rows: Array<{ metric: string; values: Array<number | null> }>;
}

/**
 * Last value of every metric (`stage.key`) and per-dataset EM/F1 of each run, read from
 * PostgreSQL. Missing values are null.
 */
export async function loadComparison(db: PrismaClient, runIds: string[]): Promise<RunComparison> {
  const runs = await db.run.findMany({
    where: { id: { in: runIds } },
    include: { experiment: true },
  });
  const missing = runIds.filter((id) => !runs.some((run) => run.id === id));
  if (missing.length > 0) throw new ConfigError(`unknown run(s): ${missing.join(', ')}`);
  const ordered = runIds.map((id) => runs.find((run) => run.id === id)!);
  const table = new Map<string, Array<number | null>>();
  const set = (metric: string, column: number, value: number) => {
    const values = table.get(metric) ?? ordered.map(() => null);
    values[column] = value;
    table.set(metric, values);
  };
  for (const [column, run] of ordered.entries()) {
    const metrics = await db.metric.findMany({
      where: { runId: run.id },
      orderBy: [{ step: 'asc' }, { at: 'asc' }],
    });
    for (const metric of metrics) set(`${metric.stage}.${metric.key}`, column, metric.value);
    const evals = await db.evalResult.findMany({
      where: { runId: run.id },
      orderBy: { createdAt: 'asc' },
    });
    for (const result of evals) {
      set(`eval.${result.dataset}.em`, column, result.em);
      set(`eval.${result.dataset}.f1`, column, result.f1);
    }
  }
  return {
    runs: ordered.map((run) => ({
      id: run.id,
      experiment: run.experiment.name,
      status: run.status,
    })),
    rows: [...table.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([metric, values]) => ({ metric, values })),
  };
}

function formatNumber(value: number | null): string {
  if (value === null) return '-';
  return Number.isInteger(value) ? String(value) : value.toFixed(4);
}

/** Text table; with two or more runs, each later column shows its delta to the first run. */
export function renderComparison(comparison: RunComparison): string {
  const header = ['METRIC', ...comparison.runs.map((run) => `${run.id} (${run.status})`)];
  const rows = comparison.rows.map(({ metric, values }) => [
    metric,
    ...values.map((value, index) => {
      const base = values[0];
      if (index === 0 || value === null || base === null || base === undefined)
        return formatNumber(value);
      const delta = value - base;
      return `${formatNumber(value)} (${delta >= 0 ? '+' : ''}${formatNumber(delta)})`;
    }),
  ]);
  if (rows.length === 0) return 'no metrics recorded for these runs';
  return renderTable([header, ...rows]);
}
