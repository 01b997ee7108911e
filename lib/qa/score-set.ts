import type { QaItem } from './types.ts';
import type { NormalizeMode } from './normalize.ts';
import { scoreAnswer, type AnswerScores } from './score.ts';

/** One prediction line: `{"id","prediction"}`. */
export interface Prediction {
  id: string;
  prediction: string;
}

/** Per-question result, kept so evaluations can write their per-question outputs. */
export interface ScoredItem extends AnswerScores {
  id: string;
  prediction: string;
  golds: string[];
  missing: boolean;
}

/** Aggregate over a QA set; `normalize` records the mode so results stay comparable. */
export interface SetScores {
  n: number;
  em: number;
  f1: number;
  subem: number;
  normalize: NormalizeMode;
  missing: number;
  items: ScoredItem[];
}

/**
 * Scores predictions against every item of a QA set. A question without a prediction counts
 * as answered with the empty string (wrong), and is counted in `missing`; predictions for ids
 * not in the set are ignored.
 */
export function scorePredictions(
  items: readonly QaItem[],
  predictions: readonly Prediction[],
  mode: NormalizeMode = 'squad',
): SetScores {
  const byId = new Map(predictions.map((p) => [p.id, p.prediction]));
  const scored = items.map((item): ScoredItem => {
    const prediction = byId.get(item.id);
    const scores = scoreAnswer(prediction ?? '', item.golden_answers, mode);
    return {
      id: item.id,
      prediction: prediction ?? '',
      golds: item.golden_answers,
      missing: prediction === undefined,
      ...scores,
    };
  });
  const mean = (key: keyof AnswerScores): number =>
    scored.length === 0 ? 0 : scored.reduce((sum, s) => sum + s[key], 0) / scored.length;
  return {
    n: scored.length,
    em: mean('em'),
    f1: mean('f1'),
    subem: mean('subem'),
    normalize: mode,
    missing: scored.filter((s) => s.missing).length,
    items: scored,
  };
}
