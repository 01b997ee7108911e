import { z } from 'zod';
import { DataError } from '../errors.ts';
import { FINISH_REASONS } from '../agent/trajectory.ts';
import type { EvalRow } from './eval-row.ts';

/** A short account of one turn: what the model did, its queries, the documents it got. */
export const TurnSummarySchema = z
  .object({
    action: z.enum(['search', 'answer', 'invalid']),
    queries: z.array(z.string()).optional(),
    docIds: z.array(z.array(z.string())).optional(),
  })
  .strict();
export type TurnSummary = z.infer<typeof TurnSummarySchema>;

/** One question answered by one method: a line of the `outputs` artifact. */
export const EvalOutputSchema = z
  .object({
    method: z.string().min(1),
    dataset: z.string().min(1),
    id: z.string().min(1),
    question: z.string(),
    goldAnswers: z.array(z.string()),
    prediction: z.string(),
    em: z.number().min(0).max(1),
    f1: z.number().min(0).max(1),
    /** Wall-clock seconds of this question's inference (generation plus retrieval). */
    seconds: z.number().nonnegative(),
    retrievals: z.number().int().nonnegative(),
    finishReason: z.enum(FINISH_REASONS),
    turns: z.array(TurnSummarySchema),
    /** The full response text (think/search/information/answer), for the trajectory viewer. */
    response: z.string(),
    /** True when the answer came from the evaluation cache rather than a new rollout. */
    cached: z.boolean().optional(),
  })
  .strict();
export type EvalOutput = z.infer<typeof EvalOutputSchema>;

/** An evaluation table row plus its per-question scores (sorted by question id). */
export interface AggregatedEvalRow extends EvalRow {
  questionIds: string[];
  questionEm: number[];
  questionF1: number[];
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/**
 * Per-(method, dataset) EM, F1, mean seconds and mean retrievals over outputs from any number
 * of shards. A question seen twice (a retried shard) counts once: its last line wins.
 */
export function aggregateEvalOutputs(rows: readonly EvalOutput[]): AggregatedEvalRow[] {
  const groups = new Map<string, Map<string, EvalOutput>>();
  for (const row of rows) {
    const key = `${row.method}\u0000${row.dataset}`;
    const byId = groups.get(key) ?? new Map<string, EvalOutput>();
    byId.set(row.id, row);
    groups.set(key, byId);
  }
  const result: AggregatedEvalRow[] = [];
  for (const [key, byId] of groups) {
    const [method = '', dataset = ''] = key.split('\u0000');
    const outputs = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    result.push({
      method,
      dataset,
      n: outputs.length,
      em: mean(outputs.map((o) => o.em)),
      f1: mean(outputs.map((o) => o.f1)),
      meanSeconds: mean(outputs.map((o) => o.seconds)),
      meanRetrievals: mean(outputs.map((o) => o.retrievals)),
      questionIds: outputs.map((o) => o.id),
      questionEm: outputs.map((o) => o.em),
      questionF1: outputs.map((o) => o.f1),
    });
  }
  return result.sort(
    (a, b) => a.method.localeCompare(b.method) || a.dataset.localeCompare(b.dataset),
  );
}

/** Parses an outputs artifact; a bad line is a DataError naming the artifact and line. */
export function parseEvalOutputs(sha256: string, text: string): EvalOutput[] {
  return text.split('\n').flatMap((line, index) => {
    if (line.trim() === '') return [];
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new DataError(`artifact ${sha256} line ${index + 1}: not JSON`);
    }
    const parsed = EvalOutputSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DataError(
        `artifact ${sha256} line ${index + 1}: ${issue?.path.join('.') || 'line'}: ${issue?.message}`,
      );
    }
    return [parsed.data];
  });
}
