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

/** The method label a `RUN:method` comparison puts its selected results under. */
export const SELECTED_METHOD = 'selected';

/**
 * `RUN:method` picks one method of a run (e.g. `r1:sft r1:ppo` compares SFT+PPO with SFT on
 * the same questions of one run); plain run ids keep every method. Ids are cuids: no colon.
 */
export function parseRunSelectors(
  args: string[],
): Array<{ arg: string; runId: string; method?: string }> {
  const selectors = args.map((arg) => {
    const [runId, method, extra] = arg.split(':');
    if (!runId || method === '' || extra !== undefined)
      throw new ConfigError(`compare: "${arg}" is neither a run id nor RUN:method`);
    return method === undefined ? { arg, runId } : { arg, runId, method };
  });
  const withMethod = selectors.filter((s) => s.method !== undefined).length;
  if (withMethod !== 0 && withMethod !== selectors.length)
    throw new ConfigError('compare: name either runs or RUN:method selectors, not both');
  return selectors;
}

async function loadSelected(
  db: PrismaClient,
  selectors: ReturnType<typeof parseRunSelectors>,
  options: CompareRunsOptions,
): Promise<{ runs: CompareRunInput[]; results: ResultRow[] }> {
  const runIds = selectors.map((s) => s.runId);
  if (selectors.every((s) => s.method === undefined)) {
    return {
      runs: await loadRuns(db, runIds),
      results: await loadLatestResults(db, runIds, options),
    };
  }
  const methods = [...new Set(selectors.map((s) => s.method as string))];
  const [runs, results] = await Promise.all([
    loadRuns(db, [...new Set(runIds)]),
    loadLatestResults(db, runIds, { ...options, methods }),
  ]);
  const runOf = new Map(runs.map((run) => [run.id, run]));
  return {
    runs: selectors.map(({ arg, runId, method }) => {
      const run = runOf.get(runId) as CompareRunInput;
      return { ...run, id: arg, name: `${run.name} (${method})` };
    }),
    results: selectors.flatMap(({ arg, runId, method }) =>
      results
        .filter((r) => r.runId === runId && r.method === method)
        .map((r) => ({ ...r, runId: arg, method: SELECTED_METHOD })),
    ),
  };
}

/**
 * Compares runs (the first is the baseline) from the registry: per-dataset table, paired
 * bootstrap deltas with Holm-adjusted p-values, averages, stamp warnings, config diffs. The
 * web API and `rag-r1 compare` both call this. Arguments are run ids or `RUN:method`.
 */
export async function compareRuns(
  db: PrismaClient,
  runIds: string[],
  options: CompareRunsOptions = {},
): Promise<Comparison & { timing: CompareTiming }> {
  if (runIds.length === 0) throw new ConfigError('compare: name at least one run');
  const started = performance.now();
  const { runs, results } = await loadSelected(db, parseRunSelectors(runIds), options);
  const queried = performance.now();
  const comparison = buildComparison(runs, results, options);
  return {
    ...comparison,
    timing: { queryMs: queried - started, statsMs: performance.now() - queried },
  };
}
