import {
  pairedBootstrap,
  stratifiedPairedBootstrap,
  type BootstrapOptions,
  type PairedDelta,
} from './bootstrap.ts';
import { diffConfigs, type ConfigDifference } from './config-diff.ts';
import { holmAdjust } from './holm.ts';
import { diffStamps, type StampField } from './stamp.ts';
import type { EvalRow } from './eval-row.ts';

/** A run as `compare` needs it. */
export interface CompareRunInput {
  id: string;
  name?: string;
  status?: string;
  config: unknown;
}

/** The latest EvalResult of one (run, method, dataset), with its per-question scores. */
export interface CompareResultInput extends EvalRow {
  runId: string;
  stamp: unknown;
  questionIds: string[];
  questionEm: number[];
  questionF1: number[];
}

export interface CompareOptions extends BootstrapOptions {
  /** Which score the deltas and tests are on (default em). */
  metric?: 'em' | 'f1';
  /** Family-wise level for the `significant` flag after Holm (default 0.05). */
  alpha?: number;
}

export interface CompareCell {
  n: number;
  em: number;
  f1: number;
  meanSeconds: number;
  meanRetrievals: number;
}

/** A run's difference to the baseline on shared questions; `pHolm` is Holm-adjusted. */
export interface CompareDelta extends PairedDelta {
  runId: string;
  pHolm: number;
  significant: boolean;
}

export interface CompareRow {
  method: string;
  dataset: string;
  cells: Array<CompareCell | null>;
  /** One per run; null for the baseline and where a side has no result or no shared question. */
  deltas: Array<CompareDelta | null>;
}

export interface CompareAverage {
  method: string;
  /** Mean over the datasets each run has, per run. */
  cells: Array<(CompareCell & { datasets: number }) | null>;
  /** Stratified paired bootstrap over the datasets both runs have. */
  deltas: Array<(PairedDelta & { runId: string; datasets: number }) | null>;
}

export interface StampWarning {
  runId: string;
  fields: StampField[];
  /** `method/dataset` pairs where the stamps differ. */
  where: string[];
  message: string;
}

export interface Comparison {
  runs: CompareRunInput[];
  baseline: string;
  metric: 'em' | 'f1';
  rows: CompareRow[];
  averages: CompareAverage[];
  stampWarnings: StampWarning[];
  configDiffs: Array<{ runId: string; differences: ConfigDifference[] }>;
  intervalMethod: string;
}

/** Scores of the questions both results have, in the same order. */
export function sharedScores(a: CompareResultInput, b: CompareResultInput, metric: 'em' | 'f1') {
  const right = new Map<string, number>();
  const bScores = metric === 'em' ? b.questionEm : b.questionF1;
  b.questionIds.forEach((id, index) => right.set(id, bScores[index] as number));
  const aScores = metric === 'em' ? a.questionEm : a.questionF1;
  const left: number[] = [];
  const paired: number[] = [];
  a.questionIds.forEach((id, index) => {
    const value = right.get(id);
    if (value === undefined) return;
    left.push(aScores[index] as number);
    paired.push(value);
  });
  return { a: left, b: paired };
}

function cellOf(result: CompareResultInput | undefined): CompareCell | null {
  if (!result) return null;
  const { n, em, f1, meanSeconds, meanRetrievals } = result;
  return { n, em, f1, meanSeconds, meanRetrievals };
}

const key = (runId: string, method: string, dataset: string) =>
  `${runId}\u0000${method}\u0000${dataset}`;

/**
 * Runs side by side against the first (the baseline): per (method, dataset) results, paired
 * bootstrap deltas over shared questions with Holm's correction across the datasets of each
 * (run, method), the average over datasets, stamp warnings and config diffs. Pure.
 */
export function buildComparison(
  runs: CompareRunInput[],
  results: CompareResultInput[],
  options: CompareOptions = {},
): Comparison {
  const metric = options.metric ?? 'em';
  const baseline = runs[0];
  if (!baseline) throw new RangeError('compare needs at least one run');
  const byKey = new Map(
    results.map((result) => [key(result.runId, result.method, result.dataset), result]),
  );
  const pairs = [...new Set(results.map((r) => `${r.method}\u0000${r.dataset}`))]
    .map((pair) => pair.split('\u0000') as [string, string])
    .sort(([m1, d1], [m2, d2]) => m1.localeCompare(m2) || d1.localeCompare(d2));
  const rows: CompareRow[] = pairs.map(([method, dataset]) => {
    const base = byKey.get(key(baseline.id, method, dataset));
    return {
      method,
      dataset,
      cells: runs.map((run) => cellOf(byKey.get(key(run.id, method, dataset)))),
      deltas: runs.map((run, index) => {
        const other = byKey.get(key(run.id, method, dataset));
        if (index === 0 || !base || !other) return null;
        const shared = sharedScores(base, other, metric);
        if (shared.a.length === 0) return null;
        return {
          runId: run.id,
          ...pairedBootstrap(shared.a, shared.b, options),
          pHolm: 1,
          significant: false,
        };
      }),
    };
  });
  applyHolm(rows, runs.length, options.alpha ?? 0.05);
  return {
    runs,
    baseline: baseline.id,
    metric,
    rows,
    averages: buildAverages(runs, byKey, pairs, metric, options),
    stampWarnings: stampWarnings(runs, byKey, pairs),
    configDiffs: runs
      .slice(1)
      .map((run) => ({ runId: run.id, differences: diffConfigs(baseline.config, run.config) })),
    intervalMethod: `paired bootstrap over shared questions (${options.resamples ?? 2000} resamples, seed ${options.seed ?? 20250702}), ${Math.round((options.confidence ?? 0.95) * 100)}% percentile interval of the mean ${metric} difference vs the first run; p-values two-sided, Holm-adjusted across datasets per run and method`,
  };
}

function applyHolm(rows: CompareRow[], runCount: number, alpha: number): void {
  const methods = new Set(rows.map((row) => row.method));
  for (let column = 1; column < runCount; column += 1) {
    for (const method of methods) {
      const family = rows
        .map((row) => (row.method === method ? row.deltas[column] : null))
        .filter((d): d is CompareDelta => d !== null && d !== undefined);
      const adjusted = holmAdjust(family.map((delta) => delta.pValue));
      family.forEach((delta, index) => {
        delta.pHolm = adjusted[index] as number;
        delta.significant = delta.pHolm <= alpha;
      });
    }
  }
}

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function buildAverages(
  runs: CompareRunInput[],
  byKey: Map<string, CompareResultInput>,
  pairs: Array<[string, string]>,
  metric: 'em' | 'f1',
  options: CompareOptions,
): CompareAverage[] {
  const methods = [...new Set(pairs.map(([method]) => method))];
  const baseline = runs[0] as CompareRunInput;
  return methods.map((method) => {
    const datasets = pairs.filter(([m]) => m === method).map(([, dataset]) => dataset);
    const cells = runs.map((run) => {
      const found = datasets
        .map((d) => byKey.get(key(run.id, method, d)))
        .filter((r): r is CompareResultInput => r !== undefined);
      if (found.length === 0) return null;
      const avg = (pick: (r: CompareResultInput) => number) => mean(found.map(pick));
      return {
        n: found.reduce((s, r) => s + r.n, 0),
        em: avg((r) => r.em),
        f1: avg((r) => r.f1),
        meanSeconds: avg((r) => r.meanSeconds),
        meanRetrievals: avg((r) => r.meanRetrievals),
        datasets: found.length,
      };
    });
    const deltas = runs.map((run, index) => {
      if (index === 0) return null;
      const strata = datasets
        .map(
          (d) =>
            [byKey.get(key(baseline.id, method, d)), byKey.get(key(run.id, method, d))] as const,
        )
        .filter(
          (pair): pair is readonly [CompareResultInput, CompareResultInput] =>
            pair[0] !== undefined && pair[1] !== undefined,
        )
        .map(([a, b]) => sharedScores(a, b, metric))
        .filter((stratum) => stratum.a.length > 0);
      if (strata.length === 0) return null;
      return {
        runId: run.id,
        datasets: strata.length,
        ...stratifiedPairedBootstrap(strata, options),
      };
    });
    return { method, cells, deltas };
  });
}

function stampWarnings(
  runs: CompareRunInput[],
  byKey: Map<string, CompareResultInput>,
  pairs: Array<[string, string]>,
): StampWarning[] {
  const baseline = runs[0] as CompareRunInput;
  const warnings: StampWarning[] = [];
  for (const run of runs.slice(1)) {
    const fields = new Set<StampField>();
    const where: string[] = [];
    for (const [method, dataset] of pairs) {
      const a = byKey.get(key(baseline.id, method, dataset));
      const b = byKey.get(key(run.id, method, dataset));
      if (!a || !b) continue;
      const differing = diffStamps(a.stamp, b.stamp);
      if (differing.length === 0) continue;
      differing.forEach((field) => fields.add(field));
      where.push(`${method}/${dataset}`);
    }
    if (fields.size === 0) continue;
    const list = [...fields];
    warnings.push({
      runId: run.id,
      fields: list,
      where,
      message: `run ${run.id} is not comparable with ${baseline.id}: different ${list.join(', ')} (in ${where.slice(0, 5).join(', ')}${where.length > 5 ? `, +${where.length - 5} more` : ''})`,
    });
  }
  return warnings;
}
