import { join } from 'node:path';
import { DataError } from '../../lib/errors.ts';
import { writeJsonl } from '../../lib/jsonl.ts';
import type { FilterSlice } from '../../lib/rag-r1/recipe.ts';
import type { CurationRow, RlQuestion, TeacherRecord } from '../../lib/rag-r1/records.ts';
import type { StageContext } from '../framework/types.ts';

export interface CurationCounts {
  reasons: Record<string, number>;
  perDataset: Record<string, { kept: number; dropped: number }>;
  train: number;
  val: number;
}

/**
 * Writes and publishes the filter's artifacts, the same in both modes: the RL train and
 * validation questions and one curation row per question saying why it was kept or dropped.
 */
export async function publishCuration(
  ctx: StageContext<FilterSlice>,
  curation: { train: RlQuestion[]; val: RlQuestion[]; rows: CurationRow[] },
): Promise<CurationCounts> {
  if (curation.train.length === 0) throw new DataError('filter: no question was kept for RL');
  const paths = {
    train: join(ctx.workDir, 'rl-train.jsonl'),
    val: join(ctx.workDir, 'rl-val.jsonl'),
    curation: join(ctx.workDir, 'curation.jsonl'),
  };
  const rows = [...curation.rows].sort((a, b) => a.id.localeCompare(b.id));
  await writeJsonl(paths.train, curation.train);
  await writeJsonl(paths.val, curation.val);
  await writeJsonl(paths.curation, rows);
  await ctx.publish('train', paths.train, 'rl-questions', 'application/x-ndjson');
  await ctx.publish('val', paths.val, 'rl-questions', 'application/x-ndjson');
  await ctx.publish('curation', paths.curation, 'curation-report', 'application/x-ndjson');
  const counts = countCuration(rows);
  for (const [reason, count] of Object.entries(counts.reasons))
    await ctx.logMetric(`filter/${reason}`, count);
  return { ...counts, train: curation.train.length, val: curation.val.length };
}

function countCuration(rows: CurationRow[]): Pick<CurationCounts, 'reasons' | 'perDataset'> {
  const reasons: Record<string, number> = {};
  const perDataset: Record<string, { kept: number; dropped: number }> = {};
  for (const row of rows) {
    reasons[row.reason] = (reasons[row.reason] ?? 0) + 1;
    const entry = (perDataset[row.dataset] ??= { kept: 0, dropped: 0 });
    if (row.kept) entry.kept += 1;
    else entry.dropped += 1;
  }
  return { reasons, perDataset };
}

/** A teacher-sampled question as an RL training question. */
export function rlQuestionOf(record: TeacherRecord): RlQuestion {
  return {
    id: record.trajectory.questionId,
    question: record.trajectory.question,
    golden_answers: record.goldenAnswers,
    dataset: record.dataset,
  };
}
