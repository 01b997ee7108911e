/**
 * Holm's step-down adjustment (Holm 1979): controls the family-wise error rate over m tests,
 * uniformly more powerful than Bonferroni. Returns adjusted p-values in the input order; a
 * hypothesis is rejected at level alpha when its adjusted p-value is at most alpha.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, index) => ({ p, index })).sort((x, y) => x.p - y.p);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, index }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[index] = running;
  });
  return adjusted;
}
