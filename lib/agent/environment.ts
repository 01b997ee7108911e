/**
 * The agent environment's text, defined once in environment.json for both sides: this module
 * for the TypeScript rollout (teacher trajectories, SFT data, filter and evaluation), and the
 * Python trainer's PPO rollout, which receives the same object in its config (`environment`).
 * Keys are snake_case because the object is passed to the trainer as it is.
 */
import { z } from 'zod';
import ENVIRONMENT_JSON from './environment.json' with { type: 'json' };

export const EnvironmentSchema = z
  .object({
    information_open: z
      .string()
      .min(1)
      .describe('Written before an observation body (spec section 1: `\\n<information>\\n`).'),
    information_close: z
      .string()
      .min(1)
      .describe('Written after an observation body; kept when the observation is cut.'),
    invalid_action_correction: z
      .string()
      .min(1)
      .describe(
        'The one-line correction appended after a turn without a valid action (RAG-R1 and ' +
          'Search-R1 `execute_predictions`, word for word).',
      ),
    stop_sequences: z
      .array(z.string().min(1))
      .min(1)
      .describe(
        'Generation stops after any of these. A turn is cut after the first occurrence of the ' +
          'first one it contains, in this order (first `</search>`, else first `</answer>`).',
      ),
    template_example_answer: z
      .string()
      .min(1)
      .describe('The example answer of the prompt templates; never a final answer.'),
    prompt_query_limit: z
      .number()
      .int()
      .min(1)
      .describe('Queries per mq search call that the prompt allows (the split keeps them all).'),
    query_separator: z
      .string()
      .length(1)
      .describe('mq search text is split on every occurrence of this, with no quoting.'),
  })
  .strict();
export type Environment = z.infer<typeof EnvironmentSchema>;

/** The parsed environment.json; a malformed file fails at import, naming the field. */
export const ENVIRONMENT: Environment = EnvironmentSchema.parse(ENVIRONMENT_JSON);
