import { z } from 'zod';
import { TrajectorySchema } from '../agent/trajectory.ts';

/**
 * Rows that flow between the recipe's stages as jsonl artifacts. Each stage validates what it
 * reads, so a stage never trusts an upstream artifact's shape blindly.
 */
export const TeacherRecordSchema = z
  .object({
    trajectory: TrajectorySchema,
    goldenAnswers: z.array(z.string()),
    dataset: z.string(),
    correct: z.boolean(),
  })
  .strict();
export type TeacherRecord = z.infer<typeof TeacherRecordSchema>;

/** One RL training question (spec section 4 row, plus its id and the gold list). */
export const RlQuestionSchema = z
  .object({
    id: z.string(),
    question: z.string(),
    golden_answers: z.array(z.string()).min(1),
    dataset: z.string(),
  })
  .strict();
export type RlQuestion = z.infer<typeof RlQuestionSchema>;

/** Why each question was kept or dropped by the filter, so curated sets can be diffed. */
export const CurationRowSchema = z
  .object({
    id: z.string(),
    dataset: z.string(),
    reason: z.string(),
    kept: z.boolean(),
    rollouts: z.number().int(),
    solvedAt: z.number().int().nullable(),
    /** Probe mode: the share of the SFT policy's rollouts that were right (absent unprobed). */
    passRate: z.number().min(0).max(1).optional(),
  })
  .strict();
export type CurationRow = z.infer<typeof CurationRowSchema>;
