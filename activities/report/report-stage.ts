import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { marked } from 'marked';
import { z } from 'zod';
import { loadEnv } from '../../lib/env.ts';
import { readJsonlAll } from '../../lib/jsonl.ts';
import type { RagR1Config } from '../../lib/rag-r1/config.ts';
import {
  renderReportHtml,
  renderReportMarkdown,
  type ReportInput,
} from '../../lib/rag-r1/report.ts';
import type { Series } from '../../lib/rag-r1/svg-chart.ts';
import { canonicalJson, sha256Hex } from '../../lib/hash.ts';
import { stageWallMs } from '../../lib/stages/wall-time.ts';
import { recordEvaluateStage } from '../evaluate/record-results.ts';
import type { StageContext, StageResult } from '../framework/types.ts';

const CurvePointSchema = z
  .object({ step: z.number(), metrics: z.record(z.string(), z.number()) })
  .strict();

/** Which trainer metrics become report charts. */
const CHARTS: Array<{ title: string; stage: string; keys: string[] }> = [
  { title: 'SFT loss', stage: 'sft-train', keys: ['loss'] },
  { title: 'PPO reward', stage: 'ppo-train', keys: ['reward'] },
  { title: 'PPO KL to reference', stage: 'ppo-train', keys: ['kl'] },
  { title: 'PPO entropy and retrievals', stage: 'ppo-train', keys: ['entropy', 'retrievals'] },
  { title: 'PPO clip fraction', stage: 'ppo-train', keys: ['clipfrac'] },
  {
    title: 'PPO response length',
    stage: 'ppo-train',
    keys: ['response_length', 'generated_length'],
  },
  {
    title: 'PPO reward signal',
    stage: 'ppo-train',
    keys: ['flat_group_share', 'zero_reward_step', 'context_full'],
  },
];

type CurvePoint = z.infer<typeof CurvePointSchema>;

async function readCurves(
  ctx: StageContext<RagR1Config>,
): Promise<{ curves: Record<string, Series[]>; ppoSteps: CurvePoint[] }> {
  const curves: Record<string, Series[]> = {};
  const cache = new Map<string, CurvePoint[]>();
  for (const chart of CHARTS) {
    const ref = ctx.inputs[chart.stage]?.artifacts['curve'];
    if (!ref) continue;
    if (!cache.has(chart.stage)) {
      const path = await ctx.download(ref, `${chart.stage}-curve.jsonl`);
      cache.set(chart.stage, await readJsonlAll(path, CurvePointSchema));
    }
    const points = cache.get(chart.stage)!;
    curves[chart.title] = chart.keys
      .map((key) => ({
        name: key,
        points: points
          .filter((p) => p.metrics[key] !== undefined)
          .map((p) => ({ step: p.step, value: p.metrics[key]! })),
      }))
      .filter((series) => series.points.length > 0);
  }
  return { curves, ppoSteps: cache.get('ppo-train') ?? [] };
}

/**
 * Each upstream stage's summary and wall time in this run: from its first start to its last
 * finish over shards and attempts (the registry's StageRun rows). A stage served from the cache
 * has no time of its own here; its summary says where it came from.
 */
async function stageRows(ctx: StageContext<RagR1Config>): Promise<ReportInput['stages']> {
  const runs = await ctx.db.stageRun.findMany({
    where: { runId: ctx.runId, cacheHit: false },
    select: { stage: true, startedAt: true, finishedAt: true },
  });
  return Object.entries(ctx.inputs).map(([name, output]) => {
    const wallMs = stageWallMs(runs.filter((run) => run.stage === name));
    return {
      name,
      summary: output.shards ? { shards: output.shards.map((s) => s.summary) } : output.summary,
      ...(wallMs !== null ? { seconds: wallMs / 1000 } : {}),
    };
  });
}

/**
 * The report stage: records the evaluation as EvalResult rows (over all evaluate shards), then
 * writes one Markdown and one HTML report with the config, stage statistics, training curves
 * and the evaluation table.
 */
export async function reportStage(ctx: StageContext<RagR1Config>): Promise<StageResult> {
  const evaluate = ctx.inputs['evaluate'];
  const recorded = evaluate
    ? await recordEvaluateStage(
        { db: ctx.db, artifacts: ctx.artifacts, ...(ctx.mlflow ? { mlflow: ctx.mlflow } : {}) },
        { runId: ctx.runId, output: evaluate },
      )
    : { rows: [] };
  const env = loadEnv();
  const { curves, ppoSteps } = await readCurves(ctx);
  const input: ReportInput = {
    title: `RAG-R1 run report: ${ctx.config.name}`,
    runId: ctx.runId,
    configHash: sha256Hex(canonicalJson(ctx.config)),
    config: ctx.config,
    stages: await stageRows(ctx),
    curves,
    ppoSteps,
    evalRows: recorded.rows,
    normalize: ctx.config.evaluate.normalize,
    links: {
      'Web UI': `http://127.0.0.1:${env.WEB_PORT}/runs/${ctx.runId}`,
      'Temporal UI': env.TEMPORAL_UI_URL,
      MLflow: env.MLFLOW_TRACKING_URI,
    },
  };
  const markdownPath = join(ctx.workDir, 'report.md');
  const htmlPath = join(ctx.workDir, 'report.html');
  await writeFile(markdownPath, renderReportMarkdown(input));
  await writeFile(
    htmlPath,
    renderReportHtml(input, (md) => marked.parse(md, { async: false })),
  );
  await ctx.publish('markdown', markdownPath, 'report', 'text/markdown');
  await ctx.publish('html', htmlPath, 'report', 'text/html');
  return { summary: { evalRows: recorded.rows.length } };
}
