import { z } from 'zod';

/**
 * One episode of the think/search/answer loop: what the teacher-sample, filter, PPO and
 * evaluate stages store and read back. `segments` concatenated is the full response text
 * (prompt excluded); `env` segments (information blocks, invalid-action corrections) are the
 * tokens to mask out of the policy loss.
 */
export const SegmentSchema = z
  .object({ kind: z.enum(['model', 'env']), text: z.string() })
  .strict();
export type Segment = z.infer<typeof SegmentSchema>;

export const TurnSchema = z
  .object({
    think: z.string().optional(),
    action: z.enum(['search', 'answer', 'invalid']),
    /** Why a turn was invalid: no parsable action, or a search with no query in it. */
    invalidReason: z.enum(['no-action', 'empty-search']).optional(),
    /** The queries sent to the retriever (after any cap or dedup). */
    queries: z.array(z.string()).optional(),
    /** Retrieved passage ids, one list per query. */
    docIds: z.array(z.array(z.string())).optional(),
    /** True when this search came in the final generation and was not executed. */
    searchSkipped: z.boolean().optional(),
    /** mq diagnostics: what a 3-query cap and dedup would do (or did). */
    overCap: z.number().int().optional(),
    duplicates: z.number().int().optional(),
    droppedQueries: z.array(z.string()).optional(),
    /** The backend's own stop reason for this turn. */
    generationFinish: z.enum(['stop', 'length', 'eos']).optional(),
    llmMs: z.number(),
    retrievalMs: z.number(),
  })
  .strict();
export type Turn = z.infer<typeof TurnSchema>;

export const FINISH_REASONS = ['answer', 'max_turns', 'max_tokens', 'invalid', 'error'] as const;
export type FinishReason = (typeof FINISH_REASONS)[number];

export const TrajectorySchema = z
  .object({
    questionId: z.string(),
    question: z.string(),
    mode: z.enum(['sq', 'mq']),
    prompt: z.string(),
    segments: z.array(SegmentSchema),
    turns: z.array(TurnSchema),
    answer: z.string().nullable(),
    finishReason: z.enum(FINISH_REASONS),
    /** Set when finishReason is `error`. */
    error: z.string().optional(),
    retrievalCount: z.number().int(),
    usage: z.object({ promptTokens: z.number(), completionTokens: z.number() }).strict(),
    llmMs: z.number(),
    retrievalMs: z.number(),
  })
  .strict();
export type Trajectory = z.infer<typeof TrajectorySchema>;

/** The full response text: every segment, in order. */
export function responseText(trajectory: Pick<Trajectory, 'segments'>): string {
  return trajectory.segments.map((segment) => segment.text).join('');
}

export interface CharSpan {
  kind: Segment['kind'];
  start: number;
  end: number;
}

/** Character spans of model-written and environment text in `responseText`, for loss masks. */
export function segmentSpans(trajectory: Pick<Trajectory, 'segments'>): CharSpan[] {
  const spans: CharSpan[] = [];
  let offset = 0;
  for (const segment of trajectory.segments) {
    spans.push({ kind: segment.kind, start: offset, end: offset + segment.text.length });
    offset += segment.text.length;
  }
  return spans;
}

/**
 * Token ids and a loss mask (1 = model-written) built segment by segment, so no token ever
 * straddles a model/env boundary. Decoding the ids gives back `responseText` exactly whenever
 * the tokenizer round-trips each segment.
 */
export function tokenizeSegments(
  trajectory: Pick<Trajectory, 'segments'>,
  encode: (text: string) => number[],
): { ids: number[]; lossMask: number[] } {
  const ids: number[] = [];
  const lossMask: number[] = [];
  for (const segment of trajectory.segments) {
    const segmentIds = encode(segment.text);
    ids.push(...segmentIds);
    for (let index = 0; index < segmentIds.length; index += 1) {
      lossMask.push(segment.kind === 'model' ? 1 : 0);
    }
  }
  return { ids, lossMask };
}
