import { z } from 'zod';

/**
 * Settings of one rollout. Defaults are the reference training rollout (spec sections 1 and 5:
 * `max_turns=5`, top-3, 1000-token observations, 500 tokens per turn, T=1.0, top-p 0.95).
 */
export const RolloutConfigSchema = z
  .object({
    maxTurns: z
      .number()
      .int()
      .min(0)
      .default(5)
      .describe('search rounds; then one final generation whose search is not executed'),
    topK: z.number().int().positive().default(3).describe('documents per query'),
    maxObsTokens: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(1000)
      .describe(
        'observation cut in policy tokens: per observation (sq), per query (mq); null = none',
      ),
    maxTokensPerTurn: z
      .number()
      .int()
      .positive()
      .default(500)
      .describe('tokens per generation turn'),
    maxContextTokens: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(8192)
      .describe(
        'stop with finishReason max_tokens once prompt + response exceed this; null = none',
      ),
    temperature: z.number().min(0).default(1).describe('0 = greedy'),
    topP: z.number().gt(0).max(1).default(0.95),
    seed: z.number().int().optional().describe('sampling seed, where the backend supports one'),
    maxQueriesPerCall: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(null)
      .describe('mq: keep only the first N queries of a call; null = no cap (reference)'),
    dedupQueries: z.boolean().default(false).describe('mq: drop repeated queries within a call'),
    executeSearchOnFinalTurn: z
      .boolean()
      .default(false)
      .describe('run the search of the final (post max_turns) generation; the reference does not'),
    normalizeQuestion: z
      .boolean()
      .default(false)
      .describe('trim the question and append "?" when missing (RL data prep)'),
  })
  .strict();

export type RolloutConfig = z.infer<typeof RolloutConfigSchema>;
export type RolloutConfigInput = z.input<typeof RolloutConfigSchema>;
