import type { PrismaClient } from '../db/client.ts';
import { ConfigError } from '../../lib/errors.ts';
import {
  buildComparison,
  type CompareOptions,
  type CompareResultInput,
  type CompareRunInput,
  type Comparison,
} from '../../lib/eval/compare.ts';

export interface CompareRunsOptions extends CompareOptions {
  /** Only these methods (default: every method any of the runs has). */
  methods?: string[];
  /** Only these datasets. */
  datasets?: string[];
}

/** Where the time of one comparison went: database reads versus statistics. */
export interface CompareTiming {
  queryMs: number;
  statsMs: number;
}

type RunRow = { id: string; status: string; name: string; config: unknown };
type ResultRow = CompareResultInput;

/**
 * The latest EvalResult per (run, method, dataset) of the given runs: one index range scan
 * per run on (runId, method, dataset, createdAt), whatever the size of the registry.
 */
export async function loadLatestResults(
  db: PrismaClient,
  runIds: string[],
  options: Pick<CompareRunsOptions, 'methods' | 'datasets'> = {},
): Promise<ResultRow[]> {
  return db.$queryRawUnsafe<ResultRow[]>(
    `SELECT DISTINCT ON ("runId", method, dataset)
        "runId", method, dataset, n, em, f1, "meanSeconds", "meanRetrievals", stamp,
        "questionIds", "questionEm", "questionF1"
       FROM "EvalResult"
      WHERE "runId" = ANY($1::text[])
        AND ($2::text[] IS NULL OR method = ANY($2::text[]))
        AND ($3::text[] IS NULL OR dataset = ANY($3::text[]))
      ORDER BY "runId", method, dataset, "createdAt" DESC`,
    [...new Set(runIds)],
    options.methods ?? null,
    options.datasets ?? null,
  );
}

async function loadRuns(db: PrismaClient, runIds: string[]): Promise<CompareRunInput[]> {
  const rows = await db.$queryRawUnsafe<RunRow[]>(
    `SELECT r.id, r.status::text AS status, e.name, e.config
       FROM "Run" r JOIN "Experiment" e ON e.id = r."experimentId"
      WHERE r.id = ANY($1::text[])`,
    [...new Set(runIds)],
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  const missing = runIds.filter((id) => !byId.has(id));
  if (missing.length > 0) throw new ConfigError(`compare: unknown run(s): ${missing.join(', ')}`);
  return runIds.map((id) => {
    const row = byId.get(id) as RunRow;
    return { id, name: row.name, status: row.status, config: row.config };
  });
}

/**
 * Compares runs (the first is the baseline) from the registry: per-dataset table, paired
 * bootstrap deltas with Holm-adjusted p-values, averages, stamp warnings, config diffs. The
 * web API and `rag-r1 compare` both call this.
 */
export async function compareRuns(
  db: PrismaClient,
  runIds: string[],
  options: CompareRunsOptions = {},
): Promise<Comparison & { timing: CompareTiming }> {
  if (runIds.length === 0) throw new ConfigError('compare: name at least one run');
  const started = performance.now();
  const [runs, results] = await Promise.all([
    loadRuns(db, runIds),
    loadLatestResults(db, runIds, options),
  ]);
  const queried = performance.now();
  const comparison = buildComparison(runs, results, options);
  return {
    ...comparison,
    timing: { queryMs: queried - started, statsMs: performance.now() - queried },
  };
}
