import { join } from 'node:path';
import { DataError } from '../../lib/errors.ts';
import { readJsonlAll, writeJsonl } from '../../lib/jsonl.ts';
import { createSeededRandom, seededShuffle } from '../../lib/random.ts';
import type { SftSplitSlice } from '../../lib/rag-r1/recipe.ts';
import { TeacherRecordSchema, type TeacherRecord } from '../../lib/rag-r1/records.ts';
import { splitAll } from '../../lib/rag-r1/sft-split.ts';
import type { StageOutput } from '../../lib/stages/output.ts';
import type { StageContext, StageResult } from '../framework/types.ts';

/** Every shard's trajectories artifact, in shard order. */
export async function downloadTeacherRecords(
  ctx: StageContext<unknown>,
  output: StageOutput | undefined,
): Promise<TeacherRecord[]> {
  if (!output) throw new DataError(`${ctx.stage}: the teacher-sample output is missing`);
  const parts = output.shards ?? [output];
  const records: TeacherRecord[] = [];
  for (const [index, part] of parts.entries()) {
    const ref = part.artifacts['trajectories'];
    if (!ref)
      throw new DataError(`${ctx.stage}: teacher-sample shard ${index} has no trajectories`);
    const path = await ctx.download(ref, `trajectories-${index}.jsonl`);
    records.push(...(await readJsonlAll(path, TeacherRecordSchema)));
  }
  return records;
}

/**
 * The sft-split stage: correct teacher trajectories → step-level samples of the four classes.
 * Validation questions are held out whole, so no step of a validation question is trained on.
 */
export async function sftSplitStage(ctx: StageContext<SftSplitSlice>): Promise<StageResult> {
  const records = await downloadTeacherRecords(ctx, ctx.inputs['teacher-sample']);
  const random = createSeededRandom(ctx.config.seed);
  const questionIds = seededShuffle(
    [...new Set(records.map((r) => r.trajectory.questionId))].sort(),
    random,
  );
  const valIds = new Set(
    questionIds.slice(0, Math.round(questionIds.length * ctx.config.valShare)),
  );
  const split = (subset: TeacherRecord[]) =>
    splitAll(
      subset.map((record) => ({ trajectory: record.trajectory, correct: record.correct })),
      { dedup: ctx.config.dedup, classKeep: ctx.config.classKeep, random },
    );
  const train = split(records.filter((r) => !valIds.has(r.trajectory.questionId)));
  const val = split(records.filter((r) => valIds.has(r.trajectory.questionId)));
  if (train.samples.length === 0) {
    throw new DataError(
      `sft-split: no SFT samples from ${records.length} trajectories (${JSON.stringify(train.statistics.skipped)})`,
    );
  }
  const trainPath = join(ctx.workDir, 'sft-train.jsonl');
  const valPath = join(ctx.workDir, 'sft-val.jsonl');
  await writeJsonl(trainPath, train.samples);
  await writeJsonl(valPath, val.samples);
  await ctx.publish('train', trainPath, 'sft-samples', 'application/x-ndjson');
  await ctx.publish('val', valPath, 'sft-samples', 'application/x-ndjson');
  for (const [cls, count] of Object.entries(train.statistics.perClass)) {
    await ctx.logMetric(`sft-split/class${cls}`, count);
  }
  await ctx.logMetric('sft-split/samples', train.samples.length);
  return { summary: { train: train.statistics, val: val.statistics } };
}
