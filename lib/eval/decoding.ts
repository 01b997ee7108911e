import { z } from 'zod';

/** Everything that changes generated text; hashed into stamps and eval-cache keys. */
export const EvalDecodingSchema = z
  .object({
    temperature: z.number().min(0).default(0).describe('0 = greedy'),
    topP: z.number().gt(0).max(1).default(1),
    maxTurns: z.number().int().min(0).default(5),
    maxTokensPerTurn: z.number().int().positive().default(1024),
    maxObsTokens: z.number().int().positive().nullable().default(1000),
    maxContextTokens: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('context cap of a rollout (the recipe sets agent.maxContextTokens); unset: 8192'),
    seed: z.number().int().optional(),
  })
  .strict();
export type EvalDecoding = z.infer<typeof EvalDecodingSchema>;
