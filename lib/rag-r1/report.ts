import type { EvalRow } from '../eval/eval-row.ts';
import { renderLineChart, type Series } from './svg-chart.ts';

export type { EvalRow };

export interface ReportInput {
  title: string;
  runId: string;
  configHash: string;
  config: unknown;
  stages: Array<{ name: string; seconds?: number; summary: Record<string, unknown> }>;
  curves: Record<string, Series[]>;
  /** The RL stage's per-step metrics, for the training-health table. */
  ppoSteps: Array<{ step: number; metrics: Record<string, number> }>;
  evalRows: EvalRow[];
  normalize: string;
  links: Record<string, string>;
}

/** RAG-R1 Table 3 average EM (spec section 7), for orientation only: a 7B model on KILT. */
export const PAPER_AVERAGE_EM: Record<string, number> = {
  'Direct inference': 0.167,
  'Standard RAG': 0.271,
  'Search-R1': 0.368,
  'RAG-R1-sq': 0.439,
  'RAG-R1-mq': 0.455,
};

/** Methods as rows, datasets as columns, plus the average over datasets. */
export function evalMatrix(rows: EvalRow[]): {
  datasets: string[];
  methods: Map<string, Map<string, EvalRow>>;
} {
  const datasets = [...new Set(rows.map((row) => row.dataset))];
  const methods = new Map<string, Map<string, EvalRow>>();
  for (const row of rows) {
    const byDataset = methods.get(row.method) ?? new Map<string, EvalRow>();
    byDataset.set(row.dataset, row);
    methods.set(row.method, byDataset);
  }
  return { datasets, methods };
}

function mean(values: number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** The evaluation table as Markdown: EM per dataset, average EM, mean time and retrievals. */
export function renderEvalTable(rows: EvalRow[]): string {
  const { datasets, methods } = evalMatrix(rows);
  const header = `| method | ${datasets.join(' | ')} | avg EM | avg F1 | mean s | mean retrievals |`;
  const rule = `|${' --- |'.repeat(datasets.length + 5)}`;
  const body = [...methods].map(([method, byDataset]) => {
    const cells = datasets.map((d) => byDataset.get(d)?.em.toFixed(3) ?? '–');
    const all = [...byDataset.values()];
    const avg = (pick: (row: EvalRow) => number) => mean(all.map(pick));
    return `| ${method} | ${cells.join(' | ')} | ${avg((r) => r.em).toFixed(3)} | ${avg((r) => r.f1).toFixed(3)} | ${avg((r) => r.meanSeconds).toFixed(3)} | ${avg((r) => r.meanRetrievals).toFixed(2)} |`;
  });
  return [header, rule, ...body].join('\n');
}

/** Per-step RL health, in the order a researcher reads it: is there signal, is it on-policy. */
const HEALTH_COLUMNS: Array<[key: string, label: string, digits: number]> = [
  ['reward', 'reward', 3],
  ['flat_group_share', 'flat groups', 2],
  ['kl', 'KL', 4],
  ['entropy', 'entropy', 3],
  ['clipfrac', 'clip frac', 3],
  ['response_length', 'resp len', 0],
  ['retrievals', 'retrievals', 2],
  ['context_full', 'ctx full', 2],
  ['onpolicy_max_gap', 'on-policy gap', 6],
];

/**
 * The RL stage's health per step, plus the share of steps whose rollouts all scored zero (no
 * learning signal at all). Empty when the run has no RL curve.
 */
export function renderTrainingHealth(steps: ReportInput['ppoSteps']): string {
  if (steps.length === 0) return 'No RL steps recorded.';
  const header = `| step | ${HEALTH_COLUMNS.map(([, label]) => label).join(' | ')} |`;
  const rule = `|${' --- |'.repeat(HEALTH_COLUMNS.length + 1)}`;
  const body = steps.map(({ step, metrics }) => {
    const cells = HEALTH_COLUMNS.map(([key, , digits]) => metrics[key]?.toFixed(digits) ?? '–');
    return `| ${step} | ${cells.join(' | ')} |`;
  });
  const zero = steps.filter((s) => s.metrics['zero_reward_step'] === 1).length;
  const gaps = steps.map((s) => s.metrics['onpolicy_max_gap']).filter((g) => g !== undefined);
  const summary =
    `Steps with no reward at all: ${zero} of ${steps.length}.` +
    (gaps.length > 0
      ? ` Largest on-policy gap (sampled vs recomputed log-prob): ${Math.max(...gaps).toExponential(1)}.`
      : '');
  return [summary, header, rule, ...body].join('\n');
}

function renderStageTable(stages: ReportInput['stages']): string {
  const lines = ['| stage | seconds | summary |', '| --- | --- | --- |'];
  for (const stage of stages) {
    const summary = JSON.stringify(stage.summary).replace(/\|/g, '\\|');
    const shortened = summary.length > 300 ? `${summary.slice(0, 300)}…` : summary;
    const seconds = stage.seconds?.toFixed(1) ?? 'cached';
    lines.push(`| ${stage.name} | ${seconds} | \`${shortened}\` |`);
  }
  return lines.join('\n');
}

/** The run report as Markdown; charts are inline SVG, which Markdown viewers pass through. */
export function renderReportMarkdown(input: ReportInput): string {
  const charts = Object.entries(input.curves).map(([title, series]) =>
    renderLineChart(title, series),
  );
  const paper = Object.entries(PAPER_AVERAGE_EM)
    .map(([method, em]) => `| ${method} | ${em.toFixed(3)} |`)
    .join('\n');
  const links = Object.entries(input.links)
    .map(([name, url]) => `- ${name}: ${url}`)
    .join('\n');
  return [
    `# ${input.title}`,
    `Run \`${input.runId}\`, config hash \`${input.configHash.slice(0, 12)}\`.`,
    links,
    `## Evaluation (EM, answer normalization \`${input.normalize}\`)`,
    renderEvalTable(input.evalRows),
    `## Training curves`,
    charts.join('\n\n'),
    `## RL training health`,
    renderTrainingHealth(input.ppoSteps),
    `## Stages`,
    renderStageTable(input.stages),
    `## Paper reference (RAG-R1 Table 3, average EM over 7 sets; Qwen2.5-7B, not comparable with the tiny world)`,
    `| method | avg EM |\n| --- | --- |\n${paper}`,
    `## Config`,
    '```json\n' + JSON.stringify(input.config, null, 2) + '\n```',
  ].join('\n\n');
}

/** The same report as a standalone HTML page. */
export function renderReportHtml(
  input: ReportInput,
  markdownToHtml: (md: string) => string,
): string {
  const body = markdownToHtml(renderReportMarkdown(input));
  return `<!doctype html><html><head><meta charset="utf-8"><title>${input.title}</title><style>body{font-family:system-ui,sans-serif;max-width:1000px;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;font-size:13px}code,pre{background:#f4f4f4}</style></head><body>${body}</body></html>`;
}
