import { normalizeAnswer, pySplit, type NormalizeMode } from './normalize.ts';

/**
 * EM, SubEM and token F1 over one or more gold answers; a prediction scores the best it gets
 * against any gold. Definitions follow FlashRAG / Search-R1 (spec section 8): EM is equality of
 * normalized strings, SubEM is "some normalized gold is a substring of the normalized
 * prediction", F1 is bag-of-tokens overlap, with HotpotQA's rule that yes/no/noanswer only
 * score when they match exactly.
 */
export interface AnswerScores {
  em: number;
  subem: number;
  f1: number;
}

const CLOSED_ANSWERS = new Set(['yes', 'no', 'noanswer']);

function asList(golds: string | readonly string[]): readonly string[] {
  return typeof golds === 'string' ? [golds] : golds;
}

/** 1 if the normalized prediction equals any normalized gold, else 0. */
export function exactMatch(
  prediction: string,
  golds: string | readonly string[],
  mode: NormalizeMode = 'squad',
): number {
  const normalized = normalizeAnswer(prediction, mode);
  return asList(golds).some((gold) => normalizeAnswer(gold, mode) === normalized) ? 1 : 0;
}

/** 1 if any normalized gold occurs inside the normalized prediction, else 0. */
export function subExactMatch(
  prediction: string,
  golds: string | readonly string[],
  mode: NormalizeMode = 'squad',
): number {
  const normalized = normalizeAnswer(prediction, mode);
  return asList(golds).some((gold) => normalized.includes(normalizeAnswer(gold, mode))) ? 1 : 0;
}

function tokenF1(prediction: string, gold: string): number {
  if (prediction !== gold && (CLOSED_ANSWERS.has(prediction) || CLOSED_ANSWERS.has(gold))) {
    return 0;
  }
  const predTokens = pySplit(prediction);
  const goldTokens = pySplit(gold);
  const goldCounts = new Map<string, number>();
  for (const token of goldTokens) goldCounts.set(token, (goldCounts.get(token) ?? 0) + 1);
  let same = 0;
  for (const token of predTokens) {
    const left = goldCounts.get(token) ?? 0;
    if (left > 0) {
      same += 1;
      goldCounts.set(token, left - 1);
    }
  }
  if (same === 0) return 0;
  const precision = same / predTokens.length;
  const recall = same / goldTokens.length;
  return (2 * precision * recall) / (precision + recall);
}

/** Best token F1 of the prediction against any gold. */
export function f1Score(
  prediction: string,
  golds: string | readonly string[],
  mode: NormalizeMode = 'squad',
): number {
  const normalized = normalizeAnswer(prediction, mode);
  let best = 0;
  for (const gold of asList(golds)) {
    best = Math.max(best, tokenF1(normalized, normalizeAnswer(gold, mode)));
  }
  return best;
}

/** All three scores of one prediction. */
export function scoreAnswer(
  prediction: string,
  golds: string | readonly string[],
  mode: NormalizeMode = 'squad',
): AnswerScores {
  return {
    em: exactMatch(prediction, golds, mode),
    subem: subExactMatch(prediction, golds, mode),
    f1: f1Score(prediction, golds, mode),
  };
}
