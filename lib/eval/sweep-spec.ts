import { z } from 'zod';
import { EvalDecodingSchema } from './decoding.ts';

/**
 * What a scheduled evaluation sweep evaluates and when. Pure zod (no Node imports): the sweep
 * workflow, its activities, the CLI and the web API all validate with it.
 */
export const SWEEP_OVERLAP_POLICIES = [
  'skip',
  'buffer-one',
  'buffer-all',
  'cancel-other',
  'terminate-other',
  'allow-all',
] as const;
export type SweepOverlapPolicy = (typeof SWEEP_OVERLAP_POLICIES)[number];

export const SweepSpecSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes'),
    cron: z.string().min(1).optional().describe('cron expression, e.g. "0 3 * * *"'),
    intervalSeconds: z.number().int().positive().optional().describe('or: every N seconds'),
    overlap: z
      .enum(SWEEP_OVERLAP_POLICIES)
      .default('skip')
      .describe(
        'when an execution is due while the previous one still runs (Temporal overlap policy)',
      ),
    runIds: z
      .array(z.string().min(1))
      .default([])
      .describe('runs whose latest checkpoint is evaluated'),
    checkpoints: z
      .array(z.string().regex(/^[0-9a-f]{64}$/))
      .default([])
      .describe('checkpoint archives (sha256 of an `onnx` artifact) evaluated as listed'),
    stage: z
      .enum(['ppo-train', 'sft-train'])
      .default('ppo-train')
      .describe('which stage of a run holds its checkpoint'),
    dataRunId: z
      .string()
      .optional()
      .describe(
        'run whose prepare stage supplies corpus, index and QA sets (default: the first run)',
      ),
    datasets: z.array(z.string().min(1)).min(1),
    topK: z
      .array(z.number().int().positive())
      .min(1)
      .default([3])
      .describe('retriever settings swept'),
    mode: z.enum(['sq', 'mq']).default('mq'),
    decoding: EvalDecodingSchema.default(EvalDecodingSchema.parse({})),
    normalize: z.enum(['squad', 'rag-r1']).default('rag-r1'),
    limit: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('at most this many questions per dataset'),
  })
  .strict()
  .refine((spec) => (spec.cron === undefined) !== (spec.intervalSeconds === undefined), {
    message: 'give exactly one of cron and intervalSeconds',
    path: ['cron'],
  })
  .refine((spec) => spec.runIds.length + spec.checkpoints.length > 0, {
    message: 'name at least one run or checkpoint',
    path: ['runIds'],
  })
  .refine((spec) => spec.runIds.length > 0 || spec.dataRunId !== undefined, {
    message: 'listed checkpoints need dataRunId (whose prepare stage has the data)',
    path: ['dataRunId'],
  });
export type SweepSpec = z.infer<typeof SweepSpecSchema>;
export type SweepSpecInput = z.input<typeof SweepSpecSchema>;

/** The input of one sweep execution (what the schedule starts the workflow with). */
export interface SweepWorkflowInput {
  /** The Schedule row's name; results are linked to that row. */
  sweep: string;
  spec: SweepSpec;
  taskQueuePrefix?: string;
}

/** Method name of a sweep's results: mode and top-k, so settings stay apart in `compare`. */
export function sweepMethodName(mode: string, topK: number): string {
  return `sweep-${mode}-k${topK}`;
}
