/** Renders rows as aligned text columns; the first row is the header. */
export function renderTable(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach(
      (cell, index) => (widths[index] = Math.max(widths[index] ?? 0, visibleLength(cell))),
    );
  return rows
    .map((row) =>
      row
        .map((cell, index) => (index === row.length - 1 ? cell : pad(cell, widths[index] ?? 0)))
        .join('  '),
    )
    .join('\n');
}

function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex -- strips ANSI colour codes
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleLength(text)));
}

/** A fixed-width progress bar: `[######------] 50%`; unknown totals show the count. */
export function progressBar(done: number, total: number | null | undefined, width = 20): string {
  if (!total || total <= 0)
    return `[${'?'.repeat(width)}] ${done > 0 ? String(done) : ''}`.trimEnd();
  const fraction = Math.max(0, Math.min(1, done / total));
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.floor(fraction * 100)}%`;
}

/** `1m02s` style durations for tables. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  const seconds = Math.round(ms / 1_000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
