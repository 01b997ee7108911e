import { join } from 'node:path';
import { RolloutConfigSchema } from '../../lib/agent/config.ts';
import { runRollouts } from '../../lib/agent/driver.ts';
import { runRollout } from '../../lib/agent/rollout.ts';
import { DataError } from '../../lib/errors.ts';
import { writeJsonl } from '../../lib/jsonl.ts';
import { exactMatch } from '../../lib/qa/score.ts';
import type { TeacherSampleSlice } from '../../lib/rag-r1/recipe.ts';
import { TeacherRecordSchema, type TeacherRecord } from '../../lib/rag-r1/records.ts';
import type { StageContext, StageResult } from '../framework/types.ts';
import { openRetriever, openTeacher, readQaArtifact, shardItems } from '../rollouts/resources.ts';
import { createStageRolloutCheckpoint } from '../rollouts/stage-checkpoint.ts';
import { summarizeTeacherRecords } from './teacher-statistics.ts';

/** Beyond this share of failed rollouts the teacher endpoint is broken, not unlucky. */
const MAX_ERROR_SHARE = 0.1;

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
    if (statistics.errors > MAX_ERROR_SHARE * Math.max(1, results.length)) {
      throw new DataError(
        `teacher-sample: ${statistics.errors} of ${results.length} rollouts failed (first: ${statistics.firstError}); check the teacher endpoint`,
      );
    }
    if (statistics.errors > 0)
      ctx.log.warn('teacher rollouts failed and are skipped', { errors: statistics.errors });
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
