/// <reference lib="dom" />
import type { RecipeInfo, RunStatus, RunSummary } from '../../server/types.ts';
import { api } from '../api.ts';
import { formatDuration, formatNumber, formatTime, h, mount, statusBadge } from '../dom.ts';
import { errorBox, refresher, type Page } from '../page.ts';

/** Headline metrics shown as columns when a run has them. */
const HEADLINE = ['eval/em', 'eval/f1', 'ppo/reward', 'sft/loss'];

function metricCells(run: RunSummary, keys: string[]): HTMLElement[] {
  return keys.map((key) => h('td', { class: 'num' }, formatNumber(run.metrics[key])));
}

function runRow(run: RunSummary, keys: string[], selected: Set<string>): HTMLElement {
  const checkbox = h('input', {
    type: 'checkbox',
    'aria-label': `select ${run.id}`,
    'data-run': run.id,
    onchange: (event) => {
      if ((event.target as HTMLInputElement).checked) selected.add(run.id);
      else selected.delete(run.id);
    },
  });
  checkbox.checked = selected.has(run.id);
  return h(
    'tr',
    { 'data-run-id': run.id, 'data-status': run.status },
    h('td', {}, checkbox),
    h('td', {}, h('a', { href: `#/runs/${encodeURIComponent(run.id)}` }, run.id)),
    h('td', {}, run.experimentName),
    h('td', {}, run.recipe, run.preset ? h('span', { class: 'muted' }, ` · ${run.preset}`) : null),
    h('td', {}, statusBadge(run.status)),
    h('td', {}, formatTime(run.createdAt)),
    h('td', {}, formatDuration(run.startedAt, run.finishedAt)),
    ...metricCells(run, keys),
  );
}

// A local copy: a value import from server/types.ts would bundle zod into the page. The
// Record keeps it in step with the server's RunStatus in both directions.
const RUN_STATUSES = Object.keys({
  PENDING: true,
  RUNNING: true,
  COMPLETED: true,
  FAILED: true,
  CANCELLED: true,
} satisfies Record<RunStatus, true>) as RunStatus[];

/** Runs list: status/recipe filters, search, headline metrics, selection for compare. */
export function renderRunsPage(container: HTMLElement, query: URLSearchParams): Page {
  const selected = new Set<string>();
  const status = h('select', { id: 'filter-status', 'aria-label': 'status' }, h('option', { value: '' }, 'any status'),
    ...RUN_STATUSES.map((value) => h('option', { value }, value.toLowerCase())));
  const recipe = h('select', { id: 'filter-recipe', 'aria-label': 'recipe' }, h('option', { value: '' }, 'any recipe'));
  const search = h('input', { id: 'filter-search', type: 'search', placeholder: 'search name, id, recipe…' });
  status.value = query.get('status') ?? '';
  search.value = query.get('q') ?? '';
  const table = h('div', { class: 'table-wrap' });
  const compare = h('button', {
    id: 'compare-selected',
    onclick: () => {
      if (selected.size >= 2) window.location.hash = `#/compare?runs=${[...selected].map(encodeURIComponent).join(',')}`;
    },
  }, 'Compare selected');
  mount(container,
    h('div', { class: 'page-head' }, h('h1', {}, 'Runs'), h('a', { class: 'button primary', href: '#/launch' }, 'New run')),
    h('div', { class: 'toolbar' }, status, recipe, search, compare),
    table);

  const load = refresher(async () => {
    const params = new URLSearchParams();
    if (status.value) params.set('status', status.value);
    if (recipe.value) params.set('recipe', recipe.value);
    if (search.value.trim()) params.set('search', search.value.trim());
    try {
      const runs = await api.get<RunSummary[]>(`/api/runs?${params.toString()}`);
      const keys = HEADLINE.filter((key) => runs.some((run) => key in run.metrics));
      mount(table, runs.length === 0 ? h('p', { class: 'muted' }, 'No runs match.') : h('table', { class: 'grid', id: 'runs-table' },
        h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', {}, 'run'), h('th', {}, 'experiment'), h('th', {}, 'recipe'),
          h('th', {}, 'status'), h('th', {}, 'created'), h('th', {}, 'duration'), ...keys.map((key) => h('th', { class: 'num' }, key)))),
        h('tbody', {}, ...runs.map((run) => runRow(run, keys, selected)))));
    } catch (error) {
      mount(table, errorBox(error));
    }
  });
  void api.get<RecipeInfo[]>('/api/recipes').then((recipes) => {
    recipe.append(...recipes.map((info) => h('option', { value: info.name }, info.name)));
  }).catch(() => undefined);
  let debounce: number | undefined;
  search.addEventListener('input', () => {
    window.clearTimeout(debounce);
    debounce = window.setTimeout(load, 250);
  });
  status.addEventListener('change', load);
  recipe.addEventListener('change', load);
  load();
  return { onChange: (changes) => changes.some((c) => c.key === 'runs' || c.key.startsWith('run:')) && load() };
}
