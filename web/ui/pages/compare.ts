/// <reference lib="dom" />
import type { CompareCell, Comparison, RunSummary } from '../../server/types.ts';
import { api } from '../api.ts';
import { barChart } from '../charts.ts';
import { formatNumber, h, mount, statusBadge } from '../dom.ts';
import { errorBox, type Page } from '../page.ts';

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

function deltaText(cell: CompareCell): HTMLElement | string {
  if (!cell.deltaEm) return '';
  const { value, low, high } = cell.deltaEm;
  const isSignificant = low > 0 || high < 0;
  const sign = value >= 0 ? '+' : '';
  return h('span', { class: `delta ${isSignificant ? (value > 0 ? 'up' : 'down') : 'flat'}` },
    ` ${sign}${formatNumber(value)} [${formatNumber(low)}, ${formatNumber(high)}]`);
}

function resultTable(comparison: Comparison): HTMLElement {
  const baseline = comparison.runs[0]?.id ?? '';
  const header = h('tr', {}, h('th', {}, 'dataset'), h('th', {}, 'method'),
    ...comparison.runs.map((run, index) => h('th', {}, index === 0 ? `${run.id} (baseline)` : run.id)));
  const rows = comparison.rows.map((row) => h('tr', { 'data-dataset': row.dataset },
    h('td', {}, row.dataset), h('td', {}, row.method),
    ...row.cells.map((cell) => {
      if (!cell) return h('td', { class: 'muted' }, '—');
      const href = `#/trajectory?a=${encodeURIComponent(baseline)}&b=${encodeURIComponent(cell.runId)}&dataset=${encodeURIComponent(row.dataset)}`;
      return h('td', { class: 'num' },
        h('a', { href, class: 'metric-cell', title: 'open trajectories' }, `EM ${formatNumber(cell.em)}`), deltaText(cell),
        h('div', { class: 'muted small' }, `F1 ${formatNumber(cell.f1)} · n=${cell.n} · ${formatNumber(cell.meanSeconds, 2)}s · ${formatNumber(cell.meanRetrievals, 2)} retr.`));
    })));
  return h('table', { class: 'grid', id: 'compare-table' }, h('thead', {}, header), h('tbody', {}, ...rows));
}

function configDiff(comparison: Comparison): HTMLElement {
  if (comparison.configDiff.length === 0) return h('p', { class: 'muted' }, 'Configs are identical.');
  return h('table', { class: 'grid', id: 'config-diff' },
    h('thead', {}, h('tr', {}, h('th', {}, 'path'), ...comparison.runs.map((run) => h('th', {}, run.id)))),
    h('tbody', {}, ...comparison.configDiff.map((entry) => h('tr', {}, h('td', {}, h('code', {}, entry.path)),
      ...entry.values.map((value) => h('td', {}, h('code', {}, value === undefined ? '—' : JSON.stringify(value))))))));
}

function render(result: HTMLElement, comparison: Comparison): void {
  const labels = comparison.rows.map((row) => (row.method === 'policy' ? row.dataset : `${row.dataset}/${row.method}`));
  const series = comparison.runs.map((run, index) => ({
    name: run.id, values: comparison.rows.map((row) => row.cells[index]?.em ?? null),
  }));
  mount(result,
    h('h2', {}, 'Results per dataset'),
    comparison.rows.length === 0 ? h('p', { class: 'muted' }, 'None of these runs has evaluation results yet.') : resultTable(comparison),
    h('p', { class: 'muted small' }, comparison.intervalMethod),
    comparison.rows.length > 0 ? barChart({ title: 'EM by dataset', labels, series }) : null,
    h('h2', {}, 'Config diff'), configDiff(comparison));
}

/** Compare: pick runs; per-dataset metrics with deltas and intervals, a chart, the config diff. */
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
