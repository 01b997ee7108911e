import { z } from 'zod';

/**
 * The simulated teacher's error modes. Rates are per decision at temperature 0.7 and scale
 * with the sampling temperature (`0.5 + T / 1.4`: half at T=0, x1.36 at the filter's T=1.2).
 */
export const SimulatedTeacherOptionsSchema = z
  .object({
    mode: z
      .enum(['sq', 'mq'])
      .optional()
      .describe('force a mode; default: detected from the prompt'),
    seed: z.number().int().default(0).describe('mixed into every request hash'),
    thinkStyle: z
      .enum(['quote', 'plain'])
      .default('quote')
      .describe(
        'quote: <think> first quotes the sentence a fact was read from, as the document has it, then concludes; plain: states the fact only',
      ),
    errorScale: z
      .number()
      .min(0)
      .max(5)
      .default(1)
      .describe('multiplies every per-decision error rate (accuracy knob)'),
    memoryAnswerRate: z
      .number()
      .min(0)
      .max(1)
      .default(0.12)
      .describe('first turn: answer from memory without searching'),
    weakQueryRate: z
      .number()
      .min(0)
      .max(1)
      .default(0.2)
      .describe('a query that drops or garbles the entity name'),
    misreadRate: z
      .number()
      .min(0)
      .max(1)
      .default(0.08)
      .describe('take a value from the wrong sentence or document'),
    stopEarlyRate: z
      .number()
      .min(0)
      .max(1)
      .default(0.07)
      .describe('answer before all hops are resolved'),
    misconceptionRate: z
      .number()
      .min(0)
      .max(1)
      .default(0.06)
      .describe('share of facts the teacher firmly believes wrongly'),
    misconceptionStrength: z
      .number()
      .min(0)
      .max(1)
      .default(0.95)
      .describe('chance a misconception overrides what was read'),
    mqVariantRate: z
      .number()
      .min(0)
      .max(1)
      .default(0.7)
      .describe('mq: add a rephrased query next to a weak one'),
    maxSearches: z
      .number()
      .int()
      .positive()
      .default(5)
      .describe('searches before it answers with its best guess'),
    maxRetriesPerStep: z
      .number()
      .int()
      .positive()
      .default(2)
      .describe('failed searches for one hop before guessing it'),
  })
  .strict();
export type SimulatedTeacherOptions = z.input<typeof SimulatedTeacherOptionsSchema>;
export type ResolvedTeacherOptions = z.infer<typeof SimulatedTeacherOptionsSchema>;

/** Scales an error rate by sampling temperature, capped below 1. */
export function tempered(rate: number, temperature: number): number {
  return Math.min(0.95, rate * (0.5 + Math.max(0, temperature) / 1.4));
}
