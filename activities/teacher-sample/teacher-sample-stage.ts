import { join } from 'node:path';
import { RolloutConfigSchema } from '../../lib/agent/config.ts';
import { runRollouts } from '../../lib/agent/driver.ts';
import { runRollout } from '../../lib/agent/rollout.ts';
import { writeJsonl } from '../../lib/jsonl.ts';
import { exactMatch } from '../../lib/qa/score.ts';
import type { TeacherSampleSlice } from '../../lib/rag-r1/recipe.ts';
import { TeacherRecordSchema, type TeacherRecord } from '../../lib/rag-r1/records.ts';
import type { StageContext, StageResult } from '../framework/types.ts';
import { openRetriever, openTeacher, readQaArtifact, shardItems } from '../rollouts/resources.ts';
import { enforceErrorBudget } from '../rollouts/error-budget.ts';
import { createStageRolloutCheckpoint } from '../rollouts/stage-checkpoint.ts';
import { summarizeTeacherRecords } from './teacher-statistics.ts';

/**
 * The teacher-sample stage (one shard): teacher trajectories for the training questions,
 * scored with EM. Finished questions are checkpointed, so a retry only runs what is left.
 */
export async function teacherSampleStage(
  ctx: StageContext<TeacherSampleSlice>,
): Promise<StageResult> {
  const { teacher, agent, retrieval, seed } = ctx.config;
  const items = shardItems(
    await readQaArtifact(ctx, 'prepare', 'train'),
    ctx.shard,
    ctx.shardCount,
  );
  const backend = await openTeacher(ctx, teacher.backend, seed);
  const retriever = await openRetriever(ctx, retrieval);
  const rolloutConfig = RolloutConfigSchema.parse({
    maxTurns: agent.maxTurns,
    topK: retrieval.topK,
    maxObsTokens: agent.maxObsTokens,
    maxTokensPerTurn: agent.maxTokensPerTurn,
    maxContextTokens: agent.maxContextTokens,
    temperature: teacher.temperature,
    seed,
  });
  const golds = new Map(items.map((item) => [item.id, item]));
  try {
    const { results, resumed } = await runRollouts<(typeof items)[number], TeacherRecord>({
      items,
      concurrency: 16,
      signal: ctx.signal,
      checkpoint: createStageRolloutCheckpoint(ctx, {
        name: 'teacher',
        schema: TeacherRecordSchema,
        keyOf: (record) => record.trajectory.questionId,
      }),
      isFinished: (record) => record.trajectory.finishReason !== 'error',
      onProgress: (p) => ctx.heartbeat({ step: p.resumed + p.done, total: p.total }),
      rollout: async (item, signal) => {
        const trajectory = await runRollout({
          question: item,
          mode: agent.mode,
          backend,
          retriever,
          config: rolloutConfig,
          signal,
        });
        const gold = golds.get(item.id)!;
        const correct =
          trajectory.answer !== null &&
          exactMatch(trajectory.answer, gold.golden_answers, 'squad') === 1;
        const dataset = String(gold.metadata['type'] ?? gold.metadata['dataset'] ?? 'train');
        return { trajectory, goldenAnswers: gold.golden_answers, dataset, correct };
      },
    });
    const statistics = summarizeTeacherRecords(results);
    enforceErrorBudget(ctx, {
      errors: statistics.errors,
      total: results.length,
      firstError: statistics.firstError,
      what: 'rollouts',
    });
    const path = join(ctx.workDir, 'trajectories.jsonl');
    await writeJsonl(path, results);
    await ctx.publish('trajectories', path, 'trajectories', 'application/x-ndjson');
    await ctx.logMetric(`teacher-sample/accuracy/shard${ctx.shard}`, statistics.accuracy);
    return { summary: { ...statistics, resumed, backend: backend.id } };
  } finally {
    await retriever.close?.();
    await backend.close?.();
  }
}
