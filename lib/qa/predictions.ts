import { z } from 'zod';
import { DataError } from '../errors.ts';
import type { Prediction } from './score-set.ts';

export const PredictionSchema = z.object({ id: z.string().min(1), prediction: z.string() });

/** Parses `{"id","prediction"}` jsonl; the first bad line is an error naming the source and line. */
export function parsePredictionsJsonl(text: string, source: string): Prediction[] {
  const predictions: Prediction[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new DataError(`${source} line ${index + 1}: bad JSON: ${(error as Error).message}`);
    }
    const parsed = PredictionSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DataError(
        `${source} line ${index + 1}: ${issue?.path.join('.')}: ${issue?.message}`,
      );
    }
    predictions.push(parsed.data);
  });
  return predictions;
}
