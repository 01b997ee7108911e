/// <reference lib="dom" />
import type { RunSummary, TrajectoryPair, TrajectoryView } from '../../server/types.ts';
import { api } from '../api.ts';
import { formatNumber, h, mount } from '../dom.ts';
import { errorBox, type Page } from '../page.ts';

function side(label: string, view: TrajectoryView | null): HTMLElement {
  if (!view) return h('div', { class: 'card trajectory' }, h('h3', {}, label), h('p', { class: 'muted' }, 'No output for this question.'));
  return h('div', { class: 'card trajectory', 'data-run': view.runId },
    h('h3', {}, label, ' ', h('a', { href: `#/runs/${encodeURIComponent(view.runId)}` }, view.runId)),
    h('div', { class: 'scores' },
      h('span', { class: `badge ${view.em === 1 ? 'status-completed' : 'status-failed'}` }, `EM ${formatNumber(view.em)}`),
      ` F1 ${formatNumber(view.f1)} · ${view.retrievals} retrievals · ${formatNumber(view.seconds, 2)}s · finish: ${view.finishReason}${view.cached ? ' · from eval cache' : ''}`),
    h('div', { class: 'turns' }, ...view.turns.map((turn) =>
      h('div', { class: `turn turn-${turn.kind}` }, h('span', { class: 'turn-kind' }, turn.kind), h('pre', {}, turn.text)))),
    h('div', { class: 'answer' }, h('strong', {}, 'Answer: '), view.prediction || '—'));
}

function methodSelect(pair: TrajectoryPair, go: (method: string) => void): HTMLElement {
  const select = h('select', { id: 'method-select', onchange: (event) => go((event.target as HTMLSelectElement).value) },
    ...pair.methods.map((method) => h('option', { value: method }, method)));
  select.value = pair.method;
  return h('label', {}, 'Method ', select);
}

function questionSelect(pair: TrajectoryPair, go: (questionId: string) => void): HTMLElement {
  const select = h('select', { id: 'question-select', onchange: (event) => go((event.target as HTMLSelectElement).value) },
    ...pair.questionIds.map((id) => h('option', { value: id }, id)));
  select.value = pair.questionId;
  const index = pair.questionIds.indexOf(pair.questionId);
  const step = (offset: number) => () => {
    const next = pair.questionIds[index + offset];
    if (next) go(next);
  };
  return h('div', { class: 'toolbar' }, h('label', {}, 'Question ', select),
    h('button', { onclick: step(-1), disabled: index <= 0 }, '← prev'),
    h('button', { onclick: step(1), disabled: index >= pair.questionIds.length - 1 }, 'next →'));
}

/** Two runs' trajectories on one question and method, side by side: turns, documents, answers, scores. */
export function renderTrajectoryPage(container: HTMLElement, query: URLSearchParams): Page {
  const runA = query.get('a') ?? '';
  const dataset = query.get('dataset') ?? '';
  const runB = query.get('b') ?? runA;
  const navigate = (changes: Record<string, string>) => {
    const next = new URLSearchParams(query);
    for (const [key, value] of Object.entries(changes)) next.set(key, value);
    window.location.hash = `#/trajectory?${next.toString()}`;
  };
  const runPicker = h('select', { id: 'run-b-select', onchange: (event) => navigate({ b: (event.target as HTMLSelectElement).value }) });
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  mount(container, h('div', { class: 'page-head' }, h('h1', {}, 'Trajectories'), h('span', { class: 'muted' }, dataset)),
    h('div', { class: 'toolbar' }, h('label', {}, 'Compare with run ', runPicker)), body);
  void api.get<RunSummary[]>('/api/runs?limit=100').then((runs) => {
    mount(runPicker, ...runs.map((run) => h('option', { value: run.id }, `${run.id} · ${run.experimentName}`)));
    runPicker.value = runB;
  }).catch(() => undefined);
  const request = { runA, runB, dataset, method: query.get('method') || undefined, questionId: query.get('q') || undefined };
  void api.post<TrajectoryPair>('/api/trajectories', request)
    .then((pair) => mount(body,
      h('div', { class: 'toolbar' }, methodSelect(pair, (method) => navigate({ method, q: '' })),
        questionSelect(pair, (questionId) => navigate({ q: questionId }))),
      h('div', { class: 'card question' }, h('strong', {}, pair.question),
        h('div', { class: 'muted' }, `gold: ${pair.goldAnswers.join(' | ')}`)),
      h('div', { class: 'two-col', id: 'trajectory-sides' }, side('A', pair.sides[0]), side('B', pair.sides[1]))))
    .catch((error: unknown) => mount(body, errorBox(error)));
  return {};
}
