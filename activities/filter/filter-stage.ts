import { z } from 'zod';
import { RolloutConfigSchema } from '../../lib/agent/config.ts';
import { runRollouts } from '../../lib/agent/driver.ts';
import { runRollout } from '../../lib/agent/rollout.ts';
import { FINISH_REASONS } from '../../lib/agent/trajectory.ts';
import type { LlmBackend } from '../../lib/llm/backend.ts';
import { exactMatch } from '../../lib/qa/score.ts';
import { curate, KEPT_REASONS, type RolloutOutcome } from '../../lib/rag-r1/filter-rule.ts';
import type { FilterSlice } from '../../lib/rag-r1/recipe.ts';
import type { CurationRow, TeacherRecord } from '../../lib/rag-r1/records.ts';
import type { Retriever } from '../../lib/retrieval/types.ts';
import type { StageContext, StageResult } from '../framework/types.ts';
import { openRetriever, openTeacher } from '../rollouts/resources.ts';
import { enforceErrorBudget } from '../rollouts/error-budget.ts';
import { createStageRolloutCheckpoint } from '../rollouts/stage-checkpoint.ts';
import { downloadTeacherRecords } from '../sft-split/sft-split-stage.ts';
import { probeFilterStage } from './probe-filter.ts';
import { publishCuration, rlQuestionOf } from './publish-curation.ts';

const ResampleSchema = z
  .object({
    id: z.string(),
    outcomes: z.array(
      z.object({ correct: z.boolean(), finishReason: z.enum(FINISH_REASONS) }).strict(),
    ),
    backendCalls: z.number().int(),
    /** Set when a rollout failed after the backend's retries: the question is undecided. */
    error: z.string().optional(),
  })
  .strict();
type Resample = z.infer<typeof ResampleSchema>;

/**
 * The filter stage (spec section 4): re-samples every question the teacher got wrong, up to
 * `rollouts` times at T=1.2 with up to `maxRetrievals` searches, stopping at the first correct
 * rollout; keeps the solved ones plus a seeded share of the teacher-correct ones. With
 * `filter.candidates: 'probe'` the SFT policy's pass rates decide instead (probe-filter.ts).
 */
export async function filterStage(ctx: StageContext<FilterSlice>): Promise<StageResult> {
  if (ctx.config.filter.candidates === 'probe') return probeFilterStage(ctx);
  const { filter, retrieval, seed } = ctx.config;
  const allRecords = await downloadTeacherRecords(ctx, ctx.inputs['teacher-sample']);
  // teacher-sample already counted and logged these; the summary repeats them as teacherErrors.
  const records = allRecords.filter((record) => record.trajectory.finishReason !== 'error');
  const byId = new Map(records.map((record) => [record.trajectory.questionId, record]));
  const wrong = records.filter((record) => !record.correct);
  const tools = {
    backend: await openTeacher(ctx, ctx.config.teacher, seed),
    retriever: await openRetriever(ctx, retrieval),
  };
  try {
    const { results, resumed } = await runRollouts<Candidate, Resample>({
      items: filter.skipFilter
        ? []
        : wrong.map((record) => ({ id: record.trajectory.questionId, record })),
      concurrency: 16,
      signal: ctx.signal,
      checkpoint: createStageRolloutCheckpoint(ctx, {
        name: 'filter',
        schema: ResampleSchema,
        keyOf: (r) => r.id,
      }),
      // Undecided questions (a failed call) are run again by a retry.
      isFinished: (r) => r.error === undefined,
      onProgress: (p) => ctx.heartbeat({ step: p.resumed + p.done, total: p.total }),
      rollout: (candidate, signal) => resample(ctx, tools, candidate, signal),
    });
    const failed = results.filter((r) => r.error !== undefined);
    enforceErrorBudget(ctx, {
      errors: failed.length,
      total: results.length,
      firstError: failed[0]?.error,
      what: 're-sampled questions',
    });
    const decided = results.filter((r) => r.error === undefined);
    const { summary } = await curateTeacherMode(ctx, { results: decided, records, wrong, byId });
    const teacherErrors = allRecords.length - records.length;
    return { summary: { ...summary, resumed, errors: failed.length, teacherErrors } };
  } finally {
    await tools.retriever.close?.();
    await tools.backend.close?.();
  }
}

type Candidate = { id: string; record: TeacherRecord };

/** Re-samples one question until a rollout is right, `filter.rollouts` times at most. */
async function resample(
  ctx: StageContext<FilterSlice>,
  tools: { backend: LlmBackend; retriever: Retriever },
  { id, record }: Candidate,
  signal: AbortSignal,
): Promise<Resample> {
  const { filter, agent, retrieval, seed } = ctx.config;
  const outcomes: RolloutOutcome[] = [];
  let backendCalls = 0;
  for (let attempt = 0; attempt < filter.rollouts; attempt += 1) {
    const config = RolloutConfigSchema.parse({
      maxTurns: filter.maxRetrievals,
      topK: retrieval.topK,
      maxObsTokens: agent.maxObsTokens,
      maxTokensPerTurn: agent.maxTokensPerTurn,
      maxContextTokens: agent.maxContextTokens,
      temperature: filter.temperature,
      seed: seed * 1009 + attempt + 1,
    });
    const trajectory = await runRollout({
      question: { id, question: record.trajectory.question },
      mode: agent.mode,
      ...tools,
      config,
      signal,
    });
    backendCalls += trajectory.turns.length;
    const correct =
      trajectory.answer !== null &&
      exactMatch(trajectory.answer, record.goldenAnswers, 'squad') === 1;
    outcomes.push({ correct, finishReason: trajectory.finishReason });
    // A failed call says nothing about the question: it is undecided, not unsolved.
    if (trajectory.finishReason === 'error') {
      return { id, outcomes, backendCalls, error: trajectory.error ?? 'rollout failed' };
    }
    if (correct) break;
  }
  return { id, outcomes, backendCalls };
}

async function curateTeacherMode(
  ctx: StageContext<FilterSlice>,
  data: {
    results: Resample[];
    records: TeacherRecord[];
    wrong: TeacherRecord[];
    byId: Map<string, TeacherRecord>;
  },
): Promise<StageResult> {
  const { filter, seed } = ctx.config;
  const resampled = new Map(data.results.map((r) => [r.id, r.outcomes]));
  const everyWrongKept = filter.skipFilter
    ? new Map(
        data.wrong.map((r) => [
          r.trajectory.questionId,
          [{ correct: true, finishReason: 'answer' as const }],
        ]),
      )
    : resampled;
  const correctIds = data.records.filter((r) => r.correct).map((r) => r.trajectory.questionId);
  const curation = curate(everyWrongKept, correctIds, {
    correctShare: filter.correctShare,
    valShare: filter.valShare,
    seed,
  });
  const toQuestion = (id: string) => rlQuestionOf(data.byId.get(id)!);
  const rows: CurationRow[] = [...curation.decisions].map(([id, reason]) => {
    const outcomes = resampled.get(id) ?? [];
    const solvedAt = outcomes.findIndex((o) => o.correct);
    const kept = KEPT_REASONS.has(reason);
    return {
      id,
      dataset: data.byId.get(id)!.dataset,
      reason,
      kept,
      rollouts: outcomes.length,
      solvedAt: solvedAt < 0 ? null : solvedAt,
    };
  });
  const counts = await publishCuration(ctx, {
    train: curation.train.map(toQuestion),
    val: curation.val.map(toQuestion),
    rows,
  });
  const backendCalls = data.results.reduce((sum, r) => sum + r.backendCalls, 0);
  const rollouts = data.results.reduce((sum, r) => sum + r.outcomes.length, 0);
  return { summary: { candidates: data.results.length, rollouts, backendCalls, ...counts } };
}
