/** Nearest-rank percentile (p in 0..100) of unsorted numbers; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

/** Median, p95, mean, min and max, rounded to 0.1 ms. */
export function summarize(values: readonly number[]) {
  const round = (x: number) => Math.round(x * 10) / 10;
  const mean = values.reduce((sum, x) => sum + x, 0) / Math.max(1, values.length);
  return {
    n: values.length,
    median: round(percentile(values, 50)),
    p95: round(percentile(values, 95)),
    mean: round(mean),
    min: round(Math.min(...values)),
    max: round(Math.max(...values)),
  };
}
