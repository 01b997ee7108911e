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
    stage.inputs.length > 0 ? h('div', { class: 'stage-meta' }, `← ${stage.inputs.join(', ')}`) : null,
    stage.message ? h('div', { class: 'stage-message' }, stage.message) : null,
    stage.error ? h('div', { class: 'stage-error' }, stage.error) : null);
}

/** Longest-path depth of each stage: stages at the same depth can run side by side. */
function depths(stages: StageView[]): Map<string, number> {
  const byName = new Map(stages.map((stage) => [stage.stage, stage]));
  const depth = new Map<string, number>();
  const visit = (name: string, seen: Set<string>): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    if (seen.has(name)) return 0;
    seen.add(name);
    const inputs = byName.get(name)?.inputs.filter((input) => byName.has(input)) ?? [];
    const value = inputs.length === 0 ? 0 : 1 + Math.max(...inputs.map((input) => visit(input, seen)));
    depth.set(name, value);
    return value;
  };
  for (const stage of stages) visit(stage.stage, new Set());
  return depth;
}

/** The stage DAG as columns by depth; each box names its inputs when they are not obvious. */
function stageGraph(stages: StageView[]): HTMLElement {
  if (stages.length === 0) return h('p', { class: 'muted' }, 'No stage has started yet.');
  const depth = depths(stages);
  const columns: StageView[][] = [];
  for (const stage of stages) (columns[depth.get(stage.stage) ?? 0] ??= []).push(stage);
  const items: HTMLElement[] = [];
  columns.forEach((column, index) => {
    if (index > 0) items.push(h('div', { class: 'arrow', 'aria-hidden': 'true' }, '→'));
    items.push(h('div', { class: 'stage-column' }, ...column.map((stage) => stageBox(stage))));
  });
  return h('div', { class: 'stage-graph', id: 'stage-graph' }, ...items);
}

function actions(run: RunDetail, reload: () => void, status: HTMLElement): HTMLElement {
  const act = (verb: 'resume' | 'cancel') => (): void => {
    // Failures are shown in the page, so the click handler need not wait for the request.
    void (async () => {
      try {
        const result = await api.post<{ runId?: string }>(`/api/runs/${encodeURIComponent(run.id)}/${verb}`);
        if (verb === 'resume' && result.runId) window.location.hash = `#/runs/${encodeURIComponent(result.runId)}`;
        else reload();
      } catch (error) {
        mount(status, errorBox(error));
      }
    })();
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

type Sections = Record<'head' | 'actions' | 'error' | 'stages' | 'metrics' | 'evals' | 'logs' | 'artifacts' | 'config', HTMLElement>;

function layout(container: HTMLElement, status: HTMLElement): Sections {
  const sections: Sections = {
    head: h('div'), actions: h('div'), error: h('div'), stages: h('div'), metrics: h('div'),
    evals: h('div'), logs: h('div'), artifacts: h('div'), config: h('div'),
  };
  mount(container, sections.head, sections.actions, status, sections.error,
    h('h2', {}, 'Stages'), sections.stages, h('h2', {}, 'Metrics'), sections.metrics, sections.evals,
    h('div', { class: 'two-col' },
      h('div', {}, h('h2', {}, 'Recent logs'), sections.logs),
      h('div', {}, h('h2', {}, 'Artifacts'), sections.artifacts)),
    sections.config);
  return sections;
}

function header(run: RunDetail): HTMLElement[] {
  return [
    h('div', { class: 'page-head' }, h('h1', {}, run.experimentName, ' ', h('span', { class: 'muted' }, run.id)),
      h('span', { id: 'run-status', 'data-status': run.status }, statusBadge(run.status))),
    h('p', { class: 'muted' }, `${run.recipe}${run.preset ? ` · ${run.preset}` : ''} · created ${formatTime(run.createdAt)} · `,
      `duration ${formatDuration(run.startedAt, run.finishedAt)} · workflow `, h('code', {}, run.workflowId)),
  ];
}

/**
 * One run: stage graph, actions, live metric charts, logs, artifacts, evaluation results.
 * Sections update in place; the action buttons and the config are rebuilt only when the run's
 * status changes, so a click never lands on a button that a live update just replaced.
 */
export function renderRunPage(container: HTMLElement, runId: string): Page {
  const status = h('div');
  const sections = layout(container, status);
  let shownStatus: string | undefined;
  const load = refresher(async () => {
    try {
      const [run, metrics, logs] = await Promise.all([
        api.get<RunDetail>(`/api/runs/${encodeURIComponent(runId)}`),
        api.get<MetricSeries[]>(`/api/runs/${encodeURIComponent(runId)}/metrics`),
        api.get<LogLine[]>(`/api/runs/${encodeURIComponent(runId)}/logs`),
      ]);
      if (shownStatus !== run.status) {
        mount(sections.actions, actions(run, load, status));
        mount(sections.config, h('details', {}, h('summary', {}, 'Config'), h('pre', { class: 'config' }, JSON.stringify(run.config, null, 2))));
      }
      mount(sections.head, ...header(run));
      mount(sections.error, run.error ? h('div', { class: 'error-box' }, run.error) : null);
      mount(sections.stages, stageGraph(run.stages));
      mount(sections.metrics, charts(metrics));
      const evals = evalTable(run);
      mount(sections.evals, evals ? h('h2', {}, 'Evaluation') : null, evals);
      mount(sections.logs, logList(logs));
      mount(sections.artifacts, artifactTable(run));
      shownStatus = run.status;
    } catch (error) {
      mount(status, errorBox(error));
    }
  });
  load();
  const timer = window.setInterval(() => {
    if (shownStatus === 'RUNNING' || shownStatus === 'PENDING') load();
  }, 5000);
  return {
    onChange: (changes) => changes.some((change) => change.key === `run:${runId}`) && load(),
    dispose: () => window.clearInterval(timer),
  };
}
