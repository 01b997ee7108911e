import { z } from 'zod';
import { parseAction } from '../agent/parser.ts';
import type { Trajectory } from '../agent/trajectory.ts';

/**
 * Cuts correct teacher trajectories into step-level SFT samples (spec section 3): each model
 * turn becomes one sample whose input is the prompt plus everything before the turn (retrieved
 * documents included) and whose output is that one `<think>…</think>` + action step.
 *
 * | class | prior turns | output action |
 * | 1     | none        | answer        |
 * | 2     | none        | search        |
 * | 3     | at least 1  | answer        |
 * | 4     | at least 1  | search        |
 */
export const SftSampleSchema = z
  .object({
    id: z.string(),
    questionId: z.string(),
    class: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
    messages: z.array(z.object({ role: z.literal('user'), content: z.string() }).strict()),
    /** Assistant text before this step, `<information>` blocks included: input, no loss. */
    context: z.string(),
    /** The one step the model must write: the only tokens that carry loss. */
    target: z.string(),
  })
  .strict();
export type SftSample = z.infer<typeof SftSampleSchema>;
export type SftClass = SftSample['class'];

/** Why a trajectory gave no samples; counted in the stage statistics, never silent. */
export type SplitSkipReason = 'wrong-answer' | 'no-answer' | 'invalid-turn';

export type SplitOutcome =
  { kind: 'samples'; samples: SftSample[] } | { kind: 'skipped'; reason: SplitSkipReason };

/** Splits one trajectory; `isCorrect` is the teacher's EM against the gold answers. */
export function splitTrajectory(trajectory: Trajectory, isCorrect: boolean): SplitOutcome {
  if (trajectory.finishReason !== 'answer' || trajectory.answer === null) {
    return { kind: 'skipped', reason: 'no-answer' };
  }
  if (!isCorrect) return { kind: 'skipped', reason: 'wrong-answer' };
  const samples: SftSample[] = [];
  let context = '';
  for (const segment of trajectory.segments) {
    if (segment.kind === 'env') {
      context += segment.text;
      continue;
    }
    const action = parseAction(segment.text);
    if (action.kind === 'invalid') return { kind: 'skipped', reason: 'invalid-turn' };
    const hasPrior = samples.length > 0;
    const sampleClass: SftClass = action.kind === 'answer' ? (hasPrior ? 3 : 1) : hasPrior ? 4 : 2;
    samples.push({
      id: `${trajectory.questionId}#${samples.length}`,
      questionId: trajectory.questionId,
      class: sampleClass,
      messages: [{ role: 'user', content: trajectory.prompt }],
      context,
      target: segment.text,
    });
    context += segment.text;
  }
  return { kind: 'samples', samples };
}

export interface SplitStatistics {
  trajectories: number;
  skipped: Record<SplitSkipReason, number>;
  duplicates: number;
  dropped: number;
  perClass: Record<SftClass, number>;
  samples: number;
}

export interface SplitAllOptions {
  dedup: boolean;
  /** Keep probability of classes 1-4, for rebalancing; [1,1,1,1] keeps the natural mix. */
  classKeep: readonly [number, number, number, number];
  /** Uniform [0,1) source, seeded by the caller so the split is reproducible. */
  random: () => number;
}

/** Splits every trajectory, dedups identical (input, output) pairs and rebalances classes. */
export function splitAll(
  items: ReadonlyArray<{ trajectory: Trajectory; correct: boolean }>,
  options: SplitAllOptions,
): { samples: SftSample[]; statistics: SplitStatistics } {
  const skipped: Record<SplitSkipReason, number> = {
    'wrong-answer': 0,
    'no-answer': 0,
    'invalid-turn': 0,
  };
  const perClass: Record<SftClass, number> = { 1: 0, 2: 0, 3: 0, 4: 0 };
  const seen = new Set<string>();
  const samples: SftSample[] = [];
  let duplicates = 0;
  let dropped = 0;
  for (const { trajectory, correct } of items) {
    const outcome = splitTrajectory(trajectory, correct);
    if (outcome.kind === 'skipped') {
      skipped[outcome.reason] += 1;
      continue;
    }
    for (const sample of outcome.samples) {
      const key = JSON.stringify([sample.messages[0]?.content, sample.context, sample.target]);
      if (options.dedup && seen.has(key)) {
        duplicates += 1;
        continue;
      }
      seen.add(key);
      if (options.random() >= options.classKeep[sample.class - 1]!) {
        dropped += 1;
        continue;
      }
      perClass[sample.class] += 1;
      samples.push(sample);
    }
  }
  const statistics = {
    trajectories: items.length,
    skipped,
    duplicates,
    dropped,
    perClass,
    samples: samples.length,
  };
  return { samples, statistics };
}
