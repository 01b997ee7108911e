/// <reference lib="dom" />
import type { Comparison, RunSummary } from '../../server/types.ts';
import { api } from '../api.ts';
import { barChart } from '../charts.ts';
import { formatNumber, h, mount, statusBadge } from '../dom.ts';
import { errorBox, type Page } from '../page.ts';

type Delta = { delta: number; low: number; high: number; pValue?: number; pHolm?: number; significant?: boolean; n: number };

function picker(runs: RunSummary[], chosen: Set<string>): HTMLElement {
  const list = h('div', { class: 'picker', id: 'compare-picker' }, ...runs.map((run) => {
    const box = h('input', { type: 'checkbox', value: run.id, 'data-run': run.id });
    box.checked = chosen.has(run.id);
    return h('label', {}, box, ` ${run.id} `, h('span', { class: 'muted' }, run.experimentName), ' ', statusBadge(run.status));
  }));
  const go = h('button', {
    id: 'compare-go',
    class: 'primary',
    onclick: () => {
      const ids = [...list.querySelectorAll<HTMLInputElement>('input:checked')].map((box) => box.value);
      window.location.hash = `#/compare?runs=${ids.map(encodeURIComponent).join(',')}`;
    },
  }, 'Compare');
  return h('details', { class: 'card', open: chosen.size < 2 }, h('summary', {}, 'Pick runs'), list, go);
}

/** `+0.250 [0.000, 0.500] p=0.12 (Holm 0.24)`; coloured when significant after Holm. */
function deltaText(delta: Delta | null | undefined): HTMLElement | string {
  if (!delta) return '';
  const isSignificant = delta.significant ?? (delta.low > 0 || delta.high < 0);
  const sign = delta.delta >= 0 ? '+' : '';
  const p = delta.pValue === undefined ? '' : ` p=${formatNumber(delta.pValue)}${delta.pHolm === undefined ? '' : ` (Holm ${formatNumber(delta.pHolm)})`}`;
  return h('div', { class: `delta ${isSignificant ? (delta.delta > 0 ? 'up' : 'down') : 'flat'}`, 'data-significant': String(isSignificant) },
    `Δ ${sign}${formatNumber(delta.delta)} [${formatNumber(delta.low)}, ${formatNumber(delta.high)}]${p} · ${delta.n} paired`);
}

function cellBody(cell: Comparison['rows'][number]['cells'][number], delta: Delta | null | undefined, href: string | null): HTMLElement {
  if (!cell) return h('td', { class: 'muted' }, '—');
  const em = `EM ${formatNumber(cell.em)}`;
  return h('td', { class: 'num' },
    href ? h('a', { href, class: 'metric-cell', title: 'open trajectories' }, em) : h('strong', {}, em), deltaText(delta),
    h('div', { class: 'muted small' }, `F1 ${formatNumber(cell.f1)} · n=${cell.n} · ${formatNumber(cell.meanSeconds, 2)}s · ${formatNumber(cell.meanRetrievals, 2)} retr.`));
}

function resultTable(comparison: Comparison): HTMLElement {
  const baseline = comparison.baseline;
  const header = h('tr', {}, h('th', {}, 'dataset'), h('th', {}, 'method'),
    ...comparison.runs.map((run) => h('th', {}, run.id === baseline ? `${run.id} (baseline)` : run.id, h('div', { class: 'muted small' }, run.name ?? ''))));
  const rows = comparison.rows.map((row) => h('tr', { 'data-dataset': row.dataset, 'data-method': row.method },
    h('td', {}, row.dataset), h('td', {}, row.method),
    ...row.cells.map((cell, index) => {
      const runId = comparison.runs[index]?.id ?? '';
      const href = `#/trajectory?a=${encodeURIComponent(baseline)}&b=${encodeURIComponent(runId)}&dataset=${encodeURIComponent(row.dataset)}&method=${encodeURIComponent(row.method)}`;
      return cellBody(cell, row.deltas[index], href);
    })));
  const averages = comparison.averages.map((average) => h('tr', { class: 'average', 'data-method': average.method },
    h('td', {}, h('strong', {}, 'average')), h('td', {}, average.method),
    ...average.cells.map((cell, index) => cellBody(cell, average.deltas[index], null))));
  return h('table', { class: 'grid', id: 'compare-table' }, h('thead', {}, header), h('tbody', {}, ...rows), h('tfoot', {}, ...averages));
}

function stampWarnings(comparison: Comparison): HTMLElement | null {
  if (comparison.stampWarnings.length === 0) return null;
  return h('div', { class: 'error-box', id: 'stamp-warnings' },
    h('strong', {}, 'Not comparable: '),
    h('ul', {}, ...comparison.stampWarnings.map((warning) => h('li', { 'data-run': warning.runId }, warning.message))));
}

/** One row per config path that differs from the baseline in any run; `=` where it does not. */
function configDiff(comparison: Comparison): HTMLElement {
  const paths = [...new Set(comparison.configDiffs.flatMap((diff) => diff.differences.map((d) => d.path)))].sort();
  if (paths.length === 0) return h('p', { class: 'muted', id: 'config-diff' }, 'Configs are identical.');
  const show = (value: unknown) => h('code', {}, value === undefined ? '—' : JSON.stringify(value));
  const valueAt = (runId: string, path: string) =>
    comparison.configDiffs.find((diff) => diff.runId === runId)?.differences.find((d) => d.path === path);
  const rows = paths.map((path) => {
    const base = comparison.configDiffs.flatMap((diff) => diff.differences).find((d) => d.path === path);
    return h('tr', {}, h('td', {}, h('code', {}, path)), h('td', {}, show(base?.left)),
      ...comparison.runs.slice(1).map((run) => {
        const found = valueAt(run.id, path);
        return h('td', {}, found ? show(found.right) : h('span', { class: 'muted' }, '= baseline'));
      }));
  });
  return h('table', { class: 'grid', id: 'config-diff' },
    h('thead', {}, h('tr', {}, h('th', {}, 'path'), ...comparison.runs.map((run) => h('th', {}, run.id)))),
    h('tbody', {}, ...rows));
}

function render(result: HTMLElement, comparison: Comparison): void {
  const labels = comparison.rows.map((row) => `${row.dataset}/${row.method}`);
  const series = comparison.runs.map((run, index) => ({
    name: run.id, values: comparison.rows.map((row) => row.cells[index]?.[comparison.metric] ?? null),
  }));
  mount(result,
    stampWarnings(comparison),
    h('h2', {}, 'Results per dataset'),
    comparison.rows.length === 0 ? h('p', { class: 'muted' }, 'None of these runs has evaluation results yet.') : resultTable(comparison),
    h('p', { class: 'muted small', id: 'interval-method' }, comparison.intervalMethod),
    comparison.rows.length > 0 ? barChart({ title: `${comparison.metric.toUpperCase()} by dataset`, labels, series }) : null,
    h('h2', {}, 'Config diff vs baseline'), configDiff(comparison));
}

/** Compare: pick runs; paired-bootstrap deltas with Holm p-values, averages, stamps, config diff. */
export function renderComparePage(container: HTMLElement, query: URLSearchParams): Page {
  const chosen = new Set((query.get('runs') ?? '').split(',').filter(Boolean));
  const pick = h('div');
  const result = h('div', { id: 'compare-result' });
  mount(container, h('div', { class: 'page-head' }, h('h1', {}, 'Compare runs')), pick, result);
  void api.get<RunSummary[]>('/api/runs?limit=50').then((runs) => mount(pick, picker(runs, chosen)))
    .catch((error: unknown) => mount(pick, errorBox(error)));
  if (chosen.size >= 2) {
    mount(result, h('p', { class: 'muted' }, 'Loading…'));
    void api.post<Comparison>('/api/compare', { runIds: [...chosen] })
      .then((comparison) => render(result, comparison))
      .catch((error: unknown) => mount(result, errorBox(error)));
  }
  return {};
}
