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
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below] as number;
  const high = sorted[above] as number;
  return low + (high - low) * (position - below);
}

/**
 * Adds, for each of `out.length` resamples, the mean of `diffs` resampled with replacement to
 * `out` (times `weight`). The mulberry32 step is inlined: this loop is the whole cost of a
 * comparison (resamples x questions draws).
 */
function addResampledMeans(
  diffs: Float64Array,
  out: Float64Array,
  seedState: { state: number },
  weight: number,
): void {
  const n = diffs.length;
  let state = seedState.state;
  for (let r = 0; r < out.length; r += 1) {
    let sum = 0;
    for (let i = 0; i < n; i += 1) {
      state = (state + 0x6d2b79f5) | 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      sum += diffs[(u * n) | 0] as number;
    }
    out[r] = (out[r] as number) + (weight * sum) / n;
  }
  seedState.state = state;
}

function isConstant(values: Float64Array): boolean {
  for (let i = 1; i < values.length; i += 1) if (values[i] !== values[0]) return false;
  return true;
}

function mean(values: readonly number[] | Float64Array): number {
  let sum = 0;
  for (const value of values) sum += value;
  return values.length === 0 ? Number.NaN : sum / values.length;
}

/** Summarizes resampled statistics around the observed one. */
export function summarizeResamples(
  observed: number,
  resampled: number[] | Float64Array,
  confidence: number,
  n: number,
): PairedDelta {
  // A typed array sorts numerically without a comparator callback.
  const sorted = Float64Array.from(resampled).sort();
  const alpha = (1 - confidence) / 2;
  let atOrBelow = 0;
  let atOrAbove = 0;
  for (const value of sorted) {
    if (value <= 0) atOrBelow += 1;
    if (value >= 0) atOrAbove += 1;
  }
  const tail = Math.min(atOrBelow, atOrAbove) / Math.max(1, sorted.length);
  return {
    delta: observed,
    low: quantileSorted(sorted, alpha),
    high: quantileSorted(sorted, 1 - alpha),
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
    throw new RangeError(
      `pairedBootstrap: ${a.length} scores against ${b.length}; pairs must align`,
    );
  }
  const n = a.length;
  const differences = Float64Array.from(a, (value, index) => (b[index] as number) - value);
  const observed = mean(differences);
  if (n === 0) return { delta: Number.NaN, low: Number.NaN, high: Number.NaN, pValue: 1, n };
  const resampled = new Float64Array(options.resamples ?? DEFAULT_RESAMPLES);
  // Every resample of a constant list has the same mean: skip the draws.
  if (isConstant(differences)) resampled.fill(observed);
  else addResampledMeans(differences, resampled, { state: (options.seed ?? DEFAULT_SEED) | 0 }, 1);
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
    if (stratum.a.length !== stratum.b.length)
      throw new RangeError('stratifiedPairedBootstrap: pairs must align');
    return Float64Array.from(stratum.a, (value, index) => (stratum.b[index] as number) - value);
  });
  const n = differences.reduce((sum, list) => sum + list.length, 0);
  if (differences.length === 0)
    return { delta: Number.NaN, low: Number.NaN, high: Number.NaN, pValue: 1, n };
  const observed = differences.reduce((sum, list) => sum + mean(list), 0) / differences.length;
  const resampled = new Float64Array(options.resamples ?? DEFAULT_RESAMPLES);
  const rng = { state: (options.seed ?? DEFAULT_SEED) | 0 };
  const weight = 1 / differences.length;
  for (const list of differences) {
    if (isConstant(list)) {
      const value = (list[0] as number) * weight;
      for (let r = 0; r < resampled.length; r += 1) resampled[r] = (resampled[r] as number) + value;
    } else addResampledMeans(list, resampled, rng, weight);
  }
  return summarizeResamples(observed, resampled, options.confidence ?? 0.95, n);
}
