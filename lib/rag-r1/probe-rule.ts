import { createSeededRandom, seededShuffle } from '../random.ts';
import {
  drawShare,
  splitKept,
  type CurateOptions,
  type Curation,
  type CurationReason,
} from './filter-rule.ts';

/**
 * The probe filter (`filter.candidates: 'probe'`), kept pure like the teacher rule: the SFT
 * policy's own pass rate decides instead of the teacher's mistakes. A question it solves in
 * some but not all of its rollouts is where RL has a learning signal (rollouts with different
 * rewards), so it is kept; one it never solves is dropped; one it always solves is kept at the
 * seeded `correctShare`, as the paper adds a share of the teacher-correct ones. Training
 * questions outside the probed sample are recorded as `not-probed`.
 */

/** The probed questions: a seeded `count` of `ids` whatever their order, sorted. */
export function selectProbeQuestions(
  ids: readonly string[],
  count: number,
  seed: number,
): string[] {
  const random = createSeededRandom(seed);
  return seededShuffle([...ids].sort(), random)
    .slice(0, count)
    .sort();
}

/** How a pass rate (the share of correct rollouts, 0 to 1) places a question. */
export function judgePassRate(
  passRate: number,
): 'sometimes-solved' | 'never-solved' | 'always-solved' {
  if (passRate <= 0) return 'never-solved';
  if (passRate >= 1) return 'always-solved';
  return 'sometimes-solved';
}

/**
 * Decides every training question (`ids`) from the pass rates of the probed ones, then splits
 * the kept ones into train and validation as the teacher rule does.
 */
export function curateByPassRate(
  passRates: ReadonlyMap<string, number>,
  ids: readonly string[],
  options: CurateOptions,
): Curation {
  const random = createSeededRandom(options.seed);
  const decisions = new Map<string, CurationReason>();
  const alwaysSolved: string[] = [];
  for (const id of ids) {
    const passRate = passRates.get(id);
    const judged = passRate === undefined ? 'not-probed' : judgePassRate(passRate);
    if (judged === 'always-solved') alwaysSolved.push(id);
    else decisions.set(id, judged);
  }
  const sampled = drawShare(alwaysSolved, options.correctShare, random);
  for (const id of alwaysSolved) {
    decisions.set(id, sampled.has(id) ? 'always-solved-sampled' : 'always-solved-not-sampled');
  }
  return { decisions, ...splitKept(decisions, options.valShare, random) };
}
