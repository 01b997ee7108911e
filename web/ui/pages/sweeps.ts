/// <reference lib="dom" />
import type { RunSummary, SweepView } from '../../server/types.ts';
import { api } from '../api.ts';
import { lineChart } from '../charts.ts';
import { formatTime, h, mount } from '../dom.ts';
import { errorBox, refresher, type Page } from '../page.ts';

/** Temporal overlap policies, as lib/eval/sweep-spec.ts names them (`skip` is its default). */
const OVERLAP_POLICIES = ['skip', 'buffer-one', 'buffer-all', 'cancel-other', 'terminate-other', 'allow-all'];

function splitList(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter(Boolean);
}

function createForm(onCreated: () => void): HTMLElement {
  const name = h('input', { id: 'sweep-name', placeholder: 'nightly-eval', required: true });
  const cron = h('input', { id: 'sweep-cron', value: '0 3 * * *' });
  const runs = h('select', { id: 'sweep-runs', multiple: true, size: 4 });
  const datasets = h('input', { id: 'sweep-datasets', value: 'nq,hotpotqa' });
  const topK = h('input', { id: 'sweep-topk', value: '3' });
  const mode = h('select', { id: 'sweep-mode' }, h('option', { value: 'mq' }, 'mq (multi-query)'), h('option', { value: 'sq' }, 'sq (single query)'));
  const overlap = h('select', { id: 'sweep-overlap' }, ...OVERLAP_POLICIES.map((policy) => h('option', { value: policy }, policy)));
  const limit = h('input', { id: 'sweep-limit', type: 'number', min: '1', placeholder: 'all questions' });
  const status = h('div');
  void api.get<RunSummary[]>('/api/runs?limit=100').then((list) =>
    mount(runs, ...list.map((run) => h('option', { value: run.id }, `${run.id} · ${run.experimentName} · ${run.status.toLowerCase()}`))));
  const submit = async (event: Event) => {
    event.preventDefault();
    try {
      await api.post('/api/sweeps', {
        name: name.value.trim(),
        cron: cron.value.trim(),
        runIds: [...runs.selectedOptions].map((option) => option.value),
        datasets: splitList(datasets.value),
        topK: splitList(topK.value).map(Number),
        mode: mode.value,
        overlap: overlap.value,
        ...(limit.value ? { limit: Number(limit.value) } : {}),
      });
      mount(status, h('p', { class: 'ok' }, `Sweep ${name.value} created.`));
      onCreated();
    } catch (error) {
      mount(status, errorBox(error));
    }
  };
  return h('form', { class: 'card sweep-form', id: 'sweep-form', onsubmit: (event) => void submit(event) },
    h('h2', {}, 'New sweep'),
    h('label', {}, 'Name ', name), h('label', {}, 'Cron ', cron),
    h('label', {}, 'Checkpoints of runs ', runs), h('label', {}, 'Datasets ', datasets),
    h('label', {}, 'Top-k values ', topK), h('label', {}, 'Mode ', mode),
    h('label', {}, 'When one is still running ', overlap), h('label', {}, 'Questions per dataset ', limit), h('button', { class: 'primary', type: 'submit', id: 'sweep-create' }, 'Create'), status);
}

function sweepCard(sweep: SweepView, reload: () => void, status: HTMLElement): HTMLElement {
  const act = (verb: 'pause' | 'resume' | 'trigger' | 'delete') => (): void => {
    if (verb === 'delete' && !window.confirm(`Delete sweep ${sweep.name}?`)) return;
    // Failures are shown in the page, so the click handler need not wait for the request.
    void (async () => {
      try {
        const path = `/api/sweeps/${encodeURIComponent(sweep.id)}`;
        if (verb === 'delete') await api.delete(path);
        else await api.post(`${path}/${verb}`);
        reload();
      } catch (error) {
        mount(status, errorBox(error));
      }
    })();
  };
  const byDataset = new Map<string, Array<{ x: number; y: number }>>();
  for (const result of [...sweep.results].reverse()) {
    const series = `${result.dataset}/${result.method}`;
    const points = byDataset.get(series) ?? [];
    points.push({ x: Date.parse(result.at), y: result.em });
    byDataset.set(series, points);
  }
  const next = sweep.nextRuns[0] ? ` · next ${formatTime(sweep.nextRuns[0])}` : '';
  return h('div', { class: 'card sweep', 'data-sweep': sweep.name, 'data-paused': String(sweep.paused) },
    h('div', { class: 'page-head' }, h('h3', {}, sweep.name),
      h('span', { class: `badge ${sweep.paused ? 'status-cancelled' : 'status-running'}` }, sweep.paused ? 'paused' : 'active')),
    h('p', { class: 'muted' }, h('code', {}, sweep.schedule), ` · overlap ${sweep.overlap} · ${sweep.executions} execution${sweep.executions === 1 ? '' : 's'} (${sweep.running} running)${next} · ${sweep.results.length} results`),
    h('div', { class: 'toolbar' },
      sweep.paused ? h('button', { onclick: act('resume'), class: 'sweep-resume' }, 'Resume')
        : h('button', { onclick: act('pause'), class: 'sweep-pause' }, 'Pause'),
      h('button', { onclick: act('trigger'), class: 'sweep-trigger' }, 'Run now'),
      h('button', { class: 'danger sweep-delete', onclick: act('delete') }, 'Delete')),
    lineChart({
      title: `${sweep.name}: EM over time`,
      series: [...byDataset].map(([dataset, points]) => ({ name: dataset, points })),
      formatX: (x) => new Date(x).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }),
    }));
}

/** Sweeps: create, pause, resume, trigger, delete scheduled evaluation sweeps; results over time. */
export function renderSweepsPage(container: HTMLElement): Page {
  const list = h('div', { id: 'sweeps-list' });
  const status = h('div');
  const load = refresher(async () => {
    try {
      const sweeps = await api.get<SweepView[]>('/api/sweeps');
      mount(list, sweeps.length === 0 ? h('p', { class: 'muted' }, 'No sweeps yet.') : null,
        ...sweeps.map((sweep) => sweepCard(sweep, load, status)));
    } catch (error) {
      mount(list, errorBox(error));
    }
  });
  mount(container, h('div', { class: 'page-head' }, h('h1', {}, 'Evaluation sweeps')),
    h('div', { class: 'launch-grid' }, h('div', {}, status, list), createForm(load)));
  load();
  return { onChange: (changes) => changes.some((change) => change.key === 'sweeps') && load() };
}
