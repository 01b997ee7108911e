import type { Comparison } from './compare.ts';

const pct = (value: number) => (value * 100).toFixed(1);
const signed = (value: number) => `${value >= 0 ? '+' : ''}${pct(value)}`;

function alignRows(rows: string[][]): string {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * The comparison as text: one table per method (datasets as rows, runs as columns, each later
 * run with its delta, 95% interval and Holm-adjusted p), the average row, stamp warnings first
 * and the config diff last. Scores are percentages.
 */
export function renderComparison(comparison: Comparison): string {
  const out: string[] = [];
  for (const warning of comparison.stampWarnings) out.push(`WARNING: ${warning.message}`);
  const metric = comparison.metric;
  const methods = [...new Set(comparison.rows.map((row) => row.method))];
  if (methods.length === 0) out.push('no evaluation results recorded for these runs');
  for (const method of methods) {
    const header = [
      'dataset',
      ...comparison.runs.map((run, i) => `${run.id}${i === 0 ? ' (base)' : ''}`),
    ];
    const body = comparison.rows
      .filter((row) => row.method === method)
      .map((row) => [
        row.dataset,
        ...row.cells.map((cell, i) => {
          if (!cell) return '-';
          const delta = row.deltas[i];
          const base = `${pct(cell[metric])} (n=${cell.n})`;
          if (!delta) return base;
          return `${base} ${signed(delta.delta)} [${signed(delta.low)}, ${signed(delta.high)}] p=${delta.pHolm.toFixed(3)}${delta.significant ? ' *' : ''}`;
        }),
      ]);
    const average = comparison.averages.find((entry) => entry.method === method);
    if (average) {
      body.push([
        'average',
        ...average.cells.map((cell, i) => {
          if (!cell) return '-';
          const delta = average.deltas[i];
          const base = `${pct(cell[metric])} (${cell.datasets} sets)`;
          return delta
            ? `${base} ${signed(delta.delta)} [${signed(delta.low)}, ${signed(delta.high)}] p=${delta.pValue.toFixed(3)}`
            : base;
        }),
      ]);
      body.push([
        'mean s / retrievals',
        ...average.cells.map((cell) =>
          cell ? `${cell.meanSeconds.toFixed(2)} / ${cell.meanRetrievals.toFixed(2)}` : '-',
        ),
      ]);
    }
    out.push(`\n${method} — ${metric.toUpperCase()} %`, alignRows([header, ...body]));
  }
  out.push(`\n${comparison.intervalMethod}; * = significant after Holm at 0.05`);
  for (const diff of comparison.configDiffs) {
    out.push(
      `\nconfig diff ${comparison.baseline} -> ${diff.runId}: ${diff.differences.length === 0 ? 'identical' : ''}`,
    );
    for (const entry of diff.differences)
      out.push(`  ${entry.path}: ${JSON.stringify(entry.left)} -> ${JSON.stringify(entry.right)}`);
  }
  return out.join('\n');
}
