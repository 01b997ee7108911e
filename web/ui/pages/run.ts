/// <reference lib="dom" />
import type { LogLine, MetricSeries, RunDetail, StageView } from '../../server/types.ts';
import { api } from '../api.ts';
import { lineChart } from '../charts.ts';
import { formatBytes, formatDuration, formatNumber, formatTime, h, mount, statusBadge } from '../dom.ts';
import { errorBox, refresher, type Page } from '../page.ts';

function stageBox(stage: StageView): HTMLElement {
  const total = stage.progressTotal ?? 0;
  const share = stage.status === 'COMPLETED' || stage.status === 'CACHED' ? 1 : total > 0 ? stage.progress / total : 0;
  const percent = Math.round(Math.min(1, Math.max(0, share)) * 100);
  return h('div', { class: `stage status-${stage.status.toLowerCase()}`, 'data-stage': stage.stage, 'data-status': stage.status },
    h('div', { class: 'stage-title' }, stage.stage, stage.shards > 1 ? h('span', { class: 'muted' }, ` ×${stage.shards}`) : null),
    statusBadge(stage.cacheHit ? 'CACHED' : stage.status),
    h('div', { class: 'progress', role: 'progressbar', 'aria-valuenow': percent, 'aria-valuemin': 0, 'aria-valuemax': 100 },
      h('div', { class: 'bar', style: `width:${percent}%` })),
    h('div', { class: 'stage-meta' }, total > 0 ? `${formatNumber(stage.progress, 0)}/${formatNumber(total, 0)} · ` : '', `${percent}%`),
    h('div', { class: 'stage-meta' }, 'queue ', h('code', {}, stage.taskQueue)),
    h('div', { class: 'stage-meta' }, 'worker ', h('code', {}, stage.workerIdentity ?? '—')),
    stage.attempt > 1 ? h('div', { class: 'stage-meta' }, `attempt ${stage.attempt}`) : null,
    h('div', { class: 'stage-meta' }, formatDuration(stage.startedAt, stage.finishedAt)),
    stage.message ? h('div', { class: 'stage-message' }, stage.message) : null,
    stage.error ? h('div', { class: 'stage-error' }, stage.error) : null);
}

function stageGraph(stages: StageView[]): HTMLElement {
  if (stages.length === 0) return h('p', { class: 'muted' }, 'No stage has started yet.');
  const items: HTMLElement[] = [];
  stages.forEach((stage, index) => {
    if (index > 0) items.push(h('div', { class: 'arrow', 'aria-hidden': 'true' }, '→'));
    items.push(stageBox(stage));
  });
  return h('div', { class: 'stage-graph', id: 'stage-graph' }, ...items);
}

function actions(run: RunDetail, reload: () => void, status: HTMLElement): HTMLElement {
  const act = (verb: 'resume' | 'cancel') => async () => {
    try {
      const result = await api.post<{ runId?: string }>(`/api/runs/${encodeURIComponent(run.id)}/${verb}`);
      if (verb === 'resume' && result.runId) window.location.hash = `#/runs/${encodeURIComponent(result.runId)}`;
      else reload();
    } catch (error) {
      mount(status, errorBox(error));
    }
  };
  const isActive = run.status === 'RUNNING' || run.status === 'PENDING';
  const canResume = run.status === 'FAILED' || run.status === 'CANCELLED';
  return h('div', { class: 'toolbar' },
    h('button', { id: 'resume-run', disabled: !canResume, onclick: act('resume') }, 'Resume'),
    h('button', { id: 'cancel-run', class: 'danger', disabled: !isActive, onclick: act('cancel') }, 'Cancel'),
    h('a', { class: 'button', href: run.links.temporal, target: '_blank', rel: 'noopener', id: 'temporal-link' }, 'Temporal UI ↗'),
    run.links.mlflow ? h('a', { class: 'button', href: run.links.mlflow, target: '_blank', rel: 'noopener', id: 'mlflow-link' }, 'MLflow ↗') : null,
    run.resumedFromId ? h('a', { href: `#/runs/${encodeURIComponent(run.resumedFromId)}` }, `resumed from ${run.resumedFromId}`) : null);
}

function artifactTable(run: RunDetail): HTMLElement {
  if (run.artifacts.length === 0) return h('p', { class: 'muted' }, 'No artifacts yet.');
  return h('table', { class: 'grid', id: 'artifacts' },
    h('thead', {}, h('tr', {}, ...['kind', 'producer', 'size', 'sha256', ''].map((label) => h('th', {}, label)))),
    h('tbody', {}, ...run.artifacts.map((artifact) => h('tr', {},
      h('td', {}, artifact.kind), h('td', {}, artifact.producer), h('td', { class: 'num' }, formatBytes(artifact.bytes)),
      h('td', {}, h('code', { title: artifact.sha256 }, artifact.sha256.slice(0, 16), '…')),
      h('td', {}, h('a', { href: `/api/artifacts/${artifact.sha256}`, download: '' }, 'download'))))));
}

function evalTable(run: RunDetail): HTMLElement | null {
  if (run.evals.length === 0) return null;
  return h('table', { class: 'grid', id: 'evals' },
    h('thead', {}, h('tr', {}, ...['dataset', 'method', 'n', 'EM', 'F1'].map((label) => h('th', {}, label)))),
    h('tbody', {}, ...run.evals.map((row) => h('tr', {},
      h('td', {}, row.dataset), h('td', {}, row.method), h('td', { class: 'num' }, row.n),
      h('td', { class: 'num' }, h('a', { href: `#/trajectory?a=${encodeURIComponent(run.id)}&dataset=${encodeURIComponent(row.dataset)}` },
        formatNumber(row.em))),
      h('td', { class: 'num' }, formatNumber(row.f1))))));
}

function logList(lines: LogLine[]): HTMLElement {
  if (lines.length === 0) return h('p', { class: 'muted' }, 'No log lines yet.');
  return h('pre', { class: 'logs', id: 'logs' }, ...lines.slice(-200).map((line) =>
    h('div', { class: `log-${line.level}` }, `${new Date(line.at).toLocaleTimeString()} ${line.level.padEnd(5)} ${line.text}\n`)));
}

function charts(series: MetricSeries[]): HTMLElement {
  if (series.length === 0) return h('p', { class: 'muted' }, 'No metrics yet.');
  return h('div', { class: 'charts', id: 'charts' }, ...series.slice(0, 12).map((entry) =>
    lineChart({ title: entry.key, series: [{ name: entry.key, points: entry.points.map((p) => ({ x: p.step, y: p.value })) }] })));
}

/** One run: stage graph, actions, live metric charts, logs, artifacts, evaluation results. */
export function renderRunPage(container: HTMLElement, runId: string): Page {
  const status = h('div');
  const load = refresher(async () => {
    try {
      const [run, metrics, logs] = await Promise.all([
        api.get<RunDetail>(`/api/runs/${encodeURIComponent(runId)}`),
        api.get<MetricSeries[]>(`/api/runs/${encodeURIComponent(runId)}/metrics`),
        api.get<LogLine[]>(`/api/runs/${encodeURIComponent(runId)}/logs`),
      ]);
      const evals = evalTable(run);
      mount(container,
        h('div', { class: 'page-head' }, h('h1', {}, run.experimentName, ' ', h('span', { class: 'muted' }, run.id)),
          h('span', { id: 'run-status', 'data-status': run.status }, statusBadge(run.status))),
        h('p', { class: 'muted' }, `${run.recipe}${run.preset ? ` · ${run.preset}` : ''} · created ${formatTime(run.createdAt)} · `,
          `duration ${formatDuration(run.startedAt, run.finishedAt)} · workflow `, h('code', {}, run.workflowId)),
        actions(run, load, status), status,
        run.error ? h('div', { class: 'error-box' }, run.error) : null,
        h('h2', {}, 'Stages'), stageGraph(run.stages),
        h('h2', {}, 'Metrics'), charts(metrics),
        evals ? h('h2', {}, 'Evaluation') : null, evals,
        h('div', { class: 'two-col' },
          h('div', {}, h('h2', {}, 'Recent logs'), logList(logs)),
          h('div', {}, h('h2', {}, 'Artifacts'), artifactTable(run))),
        h('details', {}, h('summary', {}, 'Config'), h('pre', { class: 'config' }, JSON.stringify(run.config, null, 2))));
    } catch (error) {
      mount(container, errorBox(error));
    }
  });
  load();
  const timer = window.setInterval(() => {
    if (container.querySelector('[data-status="RUNNING"]')) load();
  }, 5000);
  return {
    onChange: (changes) => changes.some((change) => change.key === `run:${runId}`) && load(),
    dispose: () => window.clearInterval(timer),
  };
}
