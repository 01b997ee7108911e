import { createSeededRandom, seededShuffle, type Random } from '../random.ts';

/**
 * The hard-but-answerable rule (spec section 4), kept pure so it can be tested on hand-built
 * outcomes: a wrongly answered question is kept when at least one re-sampled rollout is right;
 * a seeded random share of the correctly answered questions is added; the result is split
 * 95/5 into train and validation.
 */

export interface RolloutOutcome {
  correct: boolean;
  finishReason: 'answer' | 'max_turns' | 'max_tokens' | 'invalid' | 'error';
}

/**
 * Teacher mode: `hard-answerable`, `correct-sampled`/`-not-sampled`, `never-solved` and why.
 * Probe mode (probe-rule.ts) judges by the SFT policy's pass rate: `sometimes-solved`,
 * `always-solved-sampled`/`-not-sampled`, `never-solved`, and `not-probed` outside its sample.
 */
export type CurationReason =
  | 'hard-answerable'
  | 'correct-sampled'
  | 'correct-not-sampled'
  | 'never-solved'
  | 'retrieval-budget-exhausted'
  | 'format-failure'
  | 'sometimes-solved'
  | 'always-solved-sampled'
  | 'always-solved-not-sampled'
  | 'not-probed';

export const KEPT_REASONS: ReadonlySet<CurationReason> = new Set([
  'hard-answerable',
  'correct-sampled',
  'sometimes-solved',
  'always-solved-sampled',
]);

/** Why a candidate (a question answered wrongly at first) is kept or dropped. */
export function judgeCandidate(outcomes: readonly RolloutOutcome[]): CurationReason {
  if (outcomes.some((outcome) => outcome.correct)) return 'hard-answerable';
  if (outcomes.length > 0 && outcomes.every((o) => o.finishReason === 'max_turns')) {
    return 'retrieval-budget-exhausted';
  }
  if (outcomes.length > 0 && outcomes.every((o) => o.finishReason !== 'answer')) {
    return 'format-failure';
  }
  return 'never-solved';
}

export interface CurateOptions {
  correctShare: number;
  valShare: number;
  seed: number;
}

export interface Curation {
  decisions: Map<string, CurationReason>;
  train: string[];
  val: string[];
}

/**
 * Decides every question: candidates by their re-sampled outcomes, correct questions by a
 * seeded draw of `correctShare`; kept questions are then split into train and validation.
 */
export function curate(
  candidates: ReadonlyMap<string, readonly RolloutOutcome[]>,
  correctIds: readonly string[],
  options: CurateOptions,
): Curation {
  const random = createSeededRandom(options.seed);
  const decisions = new Map<string, CurationReason>();
  for (const [id, outcomes] of candidates) decisions.set(id, judgeCandidate(outcomes));
  const sampled = drawShare(correctIds, options.correctShare, random);
  for (const id of correctIds) {
    decisions.set(id, sampled.has(id) ? 'correct-sampled' : 'correct-not-sampled');
  }
  return { decisions, ...splitKept(decisions, options.valShare, random) };
}

/** A seeded `share` of `ids` (rounded), independent of the order they come in. */
export function drawShare(ids: readonly string[], share: number, random: Random): Set<string> {
  const count = Math.round(ids.length * share);
  return new Set(seededShuffle([...ids].sort(), random).slice(0, count));
}

/** The kept questions of `decisions`, shuffled and split into train and validation. */
export function splitKept(
  decisions: ReadonlyMap<string, CurationReason>,
  valShare: number,
  random: Random,
): { train: string[]; val: string[] } {
  const kept = [...decisions].filter(([, reason]) => KEPT_REASONS.has(reason)).map(([id]) => id);
  const shuffled = seededShuffle(kept.sort(), random);
  const valCount = Math.round(shuffled.length * valShare);
  return { val: shuffled.slice(0, valCount), train: shuffled.slice(valCount) };
}
