import { join } from 'node:path';
import type { EvaluateSlice } from '../../lib/rag-r1/recipe.ts';
import { DataError } from '../../lib/errors.ts';
import { writeJsonl } from '../../lib/jsonl.ts';
import { EvalDecodingSchema, type EvalDecoding } from '../../lib/eval/evaluate-item.ts';
import { planMethods, type MethodPlan } from '../../lib/eval/methods.ts';
import { aggregateEvalOutputs, EvalOutputSchema } from '../../lib/eval/outputs.ts';
import type { Stamp } from '../../lib/eval/stamp.ts';
import type { ArtifactRef } from '../../lib/stages/output.ts';
import { unpackArchive } from '../trainer/archive.ts';
import type { StageContext, StageResult } from '../framework/types.ts';
import {
  openRetriever,
  readQaArtifact,
  requireArtifact,
  shardItems,
} from '../rollouts/resources.ts';
import { createStageRolloutCheckpoint } from '../rollouts/stage-checkpoint.ts';
import { cpuThreads } from '../trainer/trainer-artifacts.ts';
import { openHfPolicy, openOnnxPolicy, type OpenedPolicy } from './policy.ts';
import { createPrismaEvalCache } from './eval-cache.ts';
import { evaluateUnits, unitKey, type EvalWorkUnit } from './run-evaluation.ts';
import { cacheParts, methodStamp } from './stamps.ts';

/** Rollouts in flight; the ONNX backend batches concurrent requests. */
const CONCURRENCY = 16;

/** What each method ran with: recorded in the summary so `recordEvaluateStage` can stamp rows. */
export interface EvaluatedMethod {
  checkpoint: string;
  stamp: Stamp;
}

/** A trained policy: the tiny model's ONNX export in process, an HF checkpoint behind `serve`. */
async function openCheckpoint(
  ctx: StageContext<EvaluateSlice>,
  stage: 'sft-train' | 'ppo-train',
): Promise<{ ref: ArtifactRef; policy: OpenedPolicy }> {
  const onnx = ctx.inputs[stage]?.artifacts['onnx'];
  const ref = onnx ?? requireArtifact(ctx, stage, 'checkpoint');
  const kind = onnx ? 'onnx' : 'hf';
  const archive = await ctx.download(ref, `${stage}.${kind}.tar.gz`);
  const dir = join(ctx.workDir, `${stage}-${kind}`);
  await unpackArchive(archive, dir);
  const id = `${kind}:${stage}:${ref.sha256.slice(0, 12)}`;
  const policy = onnx
    ? await openOnnxPolicy(dir, { id })
    : await openHfPolicy(dir, {
        id,
        workDir: ctx.workDir,
        threads: cpuThreads(),
        keepAlive: () => ctx.keepAlive(),
      });
  return { ref, policy };
}

function decodingOf(config: EvaluateSlice): EvalDecoding {
  return EvalDecodingSchema.parse({
    temperature: config.evaluate.temperature,
    maxTurns: config.evaluate.maxTurns,
    maxTokensPerTurn: config.evaluate.maxTokensPerTurn,
    maxObsTokens: config.agent.maxObsTokens,
    maxContextTokens: config.agent.maxContextTokens,
  });
}

/**
 * The evaluate stage (one shard): every method (final policy plus baselines) on this shard's
 * part of each dataset. Answers already in the evaluation cache (same checkpoint, question,
 * decoding and retriever stamp) are reused, not regenerated. Writes per-question outputs; per-dataset EvalResult rows are made over
 * all shards by `recordEvaluateStage`, since a shard only sees its part.
 */
export async function evaluateStage(ctx: StageContext<EvaluateSlice>): Promise<StageResult> {
  const { evaluate, agent, retrieval } = ctx.config;
  const plans = planMethods(evaluate.baselines, agent.mode);
  const decoding = decodingOf(ctx.config);
  const prepare = ctx.inputs['prepare'];
  const corpusSha = requireArtifact(ctx, 'prepare', 'corpus').sha256;
  const indexSha = retrieval.url ? retrieval.url : requireArtifact(ctx, 'prepare', 'index').sha256;
  const needed = new Set(plans.map((plan) => plan.checkpoint));
  const policies = new Map<MethodPlan['checkpoint'], { ref: ArtifactRef; policy: OpenedPolicy }>();
  for (const which of needed)
    policies.set(which, await openCheckpoint(ctx, which === 'sft' ? 'sft-train' : 'ppo-train'));
  const retriever = await openRetriever(ctx, retrieval);
  try {
    const methods: Record<string, EvaluatedMethod> = {};
    const units: EvalWorkUnit[] = [];
    for (const dataset of evaluate.datasets) {
      if (!prepare?.artifacts[`qa:${dataset}`])
        throw new DataError(
          `evaluate: prepare has no qa:${dataset} artifact (evaluate.datasets lists it)`,
        );
      const items = shardItems(
        await readQaArtifact(ctx, 'prepare', `qa:${dataset}`),
        ctx.shard,
        ctx.shardCount,
      );
      for (const plan of plans) {
        const { ref, policy } = policies.get(plan.checkpoint)!;
        const stamp = methodStamp({
          plan,
          corpusSha,
          indexSha,
          retrieval,
          modelSha: policy.modelSha,
          decoding,
        });
        methods[plan.method] = { checkpoint: ref.sha256, stamp };
        for (const item of items) {
          const unit = {
            plan,
            dataset,
            item,
            policy: { ...policy, checkpoint: ref.sha256 },
            ...cacheParts(stamp, plan),
          };
          units.push({ ...unit, id: unitKey(unit) });
        }
      }
    }
    const { outputs, cached, ran } = await evaluateUnits({
      units,
      retriever,
      topK: retrieval.topK,
      decoding,
      normalize: evaluate.normalize,
      concurrency: CONCURRENCY,
      signal: ctx.signal,
      cache: createPrismaEvalCache(ctx.db),
      checkpoint: createStageRolloutCheckpoint(ctx, {
        name: 'evaluate',
        schema: EvalOutputSchema,
        keyOf: (output) => `${output.method}|${output.dataset}|${output.id}`,
      }),
      onProgress: (p) =>
        ctx.heartbeat({
          step: p.resumed + p.done,
          total: Math.max(1, p.total),
          message: 'questions',
        }),
    });
    const path = join(ctx.workDir, 'outputs.jsonl');
    await writeJsonl(path, outputs);
    await ctx.publish('outputs', path, 'eval-outputs', 'application/x-ndjson');
    const rows = aggregateEvalOutputs(outputs).map(
      ({ questionIds: _ids, questionEm: _em, questionF1: _f1, ...row }) => row,
    );
    const errors = outputs.filter((output) => output.finishReason === 'error').length;
    if (errors > 0) ctx.log.warn('evaluation rollouts failed; they score 0', { errors });
    return {
      summary: {
        normalize: evaluate.normalize,
        methods,
        rows,
        errors,
        cached,
        ran,
        shard: ctx.shard,
      },
    };
  } finally {
    await retriever.close?.();
    for (const { policy } of policies.values()) await policy.backend.close?.();
  }
}
