import { createSeededRandom } from './random.ts';

/** A difference with its percentile confidence interval and two-sided bootstrap p-value. */
export interface PairedDelta {
  /** Mean of (b - a) over the paired items. */
  delta: number;
  low: number;
  high: number;
  /** Two-sided: twice the smaller share of resampled deltas on either side of zero, capped at 1. */
  pValue: number;
  n: number;
}

export interface BootstrapOptions {
  /** Resamples (default 2000). */
  resamples?: number;
  /** Interval coverage (default 0.95). */
  confidence?: number;
  seed?: number;
}

const DEFAULT_RESAMPLES = 2000;
const DEFAULT_SEED = 20250702;

/** Linear-interpolated quantile of sorted values (numpy's default "linear" rule). */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below] as number;
  const high = sorted[above] as number;
  return low + (high - low) * (position - below);
}

function mean(values: readonly number[]): number {
  let sum = 0;
  for (const value of values) sum += value;
  return values.length === 0 ? Number.NaN : sum / values.length;
}

/** Summarizes resampled statistics around the observed one. */
export function summarizeResamples(
  observed: number,
  resampled: number[],
  confidence: number,
  n: number,
): PairedDelta {
  resampled.sort((x, y) => x - y);
  const alpha = (1 - confidence) / 2;
  let atOrBelow = 0;
  let atOrAbove = 0;
  for (const value of resampled) {
    if (value <= 0) atOrBelow += 1;
    if (value >= 0) atOrAbove += 1;
  }
  const tail = Math.min(atOrBelow, atOrAbove) / Math.max(1, resampled.length);
  return {
    delta: observed,
    low: quantileSorted(resampled, alpha),
    high: quantileSorted(resampled, 1 - alpha),
    pValue: Math.min(1, 2 * tail),
    n,
  };
}

/**
 * Paired bootstrap of the mean difference b - a (Efron and Tibshirani 1993, ch. 13; the usual
 * test for two systems scored on the same questions). Items are resampled with replacement as
 * pairs, so question difficulty cancels out. Deterministic for a given seed.
 */
export function pairedBootstrap(
  a: readonly number[],
  b: readonly number[],
  options: BootstrapOptions = {},
): PairedDelta {
  if (a.length !== b.length) {
    throw new RangeError(`pairedBootstrap: ${a.length} scores against ${b.length}; pairs must align`);
  }
  const n = a.length;
  const differences = a.map((value, index) => (b[index] as number) - value);
  const observed = mean(differences);
  if (n === 0) return { delta: Number.NaN, low: Number.NaN, high: Number.NaN, pValue: 1, n };
  const random = createSeededRandom(options.seed ?? DEFAULT_SEED);
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const resampled: number[] = new Array<number>(resamples);
  for (let r = 0; r < resamples; r += 1) {
    let sum = 0;
    for (let i = 0; i < n; i += 1) sum += differences[Math.floor(random() * n)] as number;
    resampled[r] = sum / n;
  }
  return summarizeResamples(observed, resampled, options.confidence ?? 0.95, n);
}

/**
 * Paired bootstrap of the average over several datasets of the per-dataset mean difference,
 * resampling within each dataset (stratified), which is how a "macro average over the seven
 * sets" varies when each set is a sample of its benchmark.
 */
export function stratifiedPairedBootstrap(
  strata: ReadonlyArray<{ a: readonly number[]; b: readonly number[] }>,
  options: BootstrapOptions = {},
): PairedDelta {
  const usable = strata.filter((stratum) => stratum.a.length > 0);
  const differences = usable.map((stratum) => {
    if (stratum.a.length !== stratum.b.length) throw new RangeError('stratifiedPairedBootstrap: pairs must align');
    return stratum.a.map((value, index) => (stratum.b[index] as number) - value);
  });
  const n = differences.reduce((sum, list) => sum + list.length, 0);
  if (differences.length === 0) return { delta: Number.NaN, low: Number.NaN, high: Number.NaN, pValue: 1, n };
  const observed = mean(differences.map(mean));
  const random = createSeededRandom(options.seed ?? DEFAULT_SEED);
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const resampled: number[] = new Array<number>(resamples);
  for (let r = 0; r < resamples; r += 1) {
    let total = 0;
    for (const list of differences) {
      let sum = 0;
      for (let i = 0; i < list.length; i += 1) sum += list[Math.floor(random() * list.length)] as number;
      total += sum / list.length;
    }
    resampled[r] = total / differences.length;
  }
  return summarizeResamples(observed, resampled, options.confidence ?? 0.95, n);
}
