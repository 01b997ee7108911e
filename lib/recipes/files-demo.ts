import { z } from 'zod';
import { defineStage } from '../stages/define.ts';
import type { RecipeDefinition, StageDefinition } from '../stages/types.ts';

/**
 * Fault injection for exercising failure handling: the chosen stage fails non-retryably
 * (DATA_INVALID) when it reaches `atRecord`, while `whileFileExists` exists (always, if unset).
 * The file switch lets a test fix the "environment" and resume with the same config.
 */
export const DemoFaultSchema = z
  .object({
    stage: z
      .enum(['transform', 'hash'])
      .nullable()
      .default(null)
      .describe('stage to fail, or null'),
    atRecord: z.number().int().nonnegative().default(0).describe('record index where it fails'),
    whileFileExists: z.string().optional().describe('fail only while this file exists'),
  })
  .strict();
export type DemoFault = z.infer<typeof DemoFaultSchema>;

/** The files-demo recipe: real, small work on files to exercise the stage framework. */
export const FilesDemoConfigSchema = z
  .object({
    seed: z.number().int().default(7).describe('seed of the generated records'),
    generate: z
      .object({
        records: z.number().int().min(1).max(5_000_000).default(2_000).describe('records to write'),
        wordsPerRecord: z.number().int().min(1).max(200).default(12).describe('words per record'),
      })
      .strict()
      .prefault({}),
    transform: z
      .object({
        shards: z.number().int().min(1).max(64).default(2).describe('shard child workflows'),
        rounds: z
          .number()
          .int()
          .min(1)
          .max(100_000)
          .default(200)
          .describe('sha256 chain length per record: the CPU cost of one record'),
        checkpointEvery: z.number().int().min(1).default(250).describe('records per checkpoint'),
      })
      .strict()
      .prefault({}),
    wordcount: z
      .object({ top: z.number().int().min(1).max(10_000).default(50).describe('words kept') })
      .strict()
      .prefault({}),
    faults: DemoFaultSchema.prefault({}),
  })
  .strict();
export type FilesDemoConfig = z.infer<typeof FilesDemoConfigSchema>;

/** Slices of the demo stages (what their implementations receive). */
export type GenerateSlice = { seed: number; records: number; wordsPerRecord: number };
export type TransformSlice = FilesDemoConfig['transform'] & { fault: DemoFault | null };
export type WordcountSlice = FilesDemoConfig['wordcount'];
export type HashSlice = { fault: DemoFault | null };

function faultFor(config: FilesDemoConfig, stage: DemoFault['stage']): DemoFault | null {
  return config.faults.stage === stage ? config.faults : null;
}

const DEMO_TIMEOUTS = { startToCloseMs: 10 * 60_000, heartbeatMs: 3_000 };
const DEMO_RETRY = { maximumAttempts: 4, initialIntervalMs: 500, maximumIntervalMs: 5_000 };

const stages: StageDefinition<FilesDemoConfig>[] = [
  defineStage({
    name: 'generate',
    version: '1',
    queue: 'cpu',
    inputs: [],
    configSlice: (config): GenerateSlice => ({ seed: config.seed, ...config.generate }),
    timeouts: DEMO_TIMEOUTS,
    retry: DEMO_RETRY,
    description: 'write N seeded records as jsonl',
  }),
  defineStage({
    name: 'transform',
    version: '1',
    queue: 'cpu',
    inputs: ['generate'],
    configSlice: (config): TransformSlice => ({
      ...config.transform,
      fault: faultFor(config, 'transform'),
    }),
    shards: (slice) => slice.shards,
    timeouts: DEMO_TIMEOUTS,
    retry: DEMO_RETRY,
    description: 'uppercase, tokenize and digest each record of a shard, checkpointing',
  }),
  defineStage({
    name: 'wordcount',
    version: '1',
    queue: 'cpu',
    inputs: ['generate'],
    configSlice: (config): WordcountSlice => config.wordcount,
    timeouts: DEMO_TIMEOUTS,
    retry: DEMO_RETRY,
    description: 'word frequencies of the generated records',
  }),
  defineStage({
    name: 'hash',
    version: '1',
    queue: 'cpu',
    inputs: ['transform', 'wordcount'],
    configSlice: (config): HashSlice => ({ fault: faultFor(config, 'hash') }),
    timeouts: DEMO_TIMEOUTS,
    retry: DEMO_RETRY,
    description: 'merkle root over the transformed shards and the word counts',
  }),
];

export const filesDemoRecipe: RecipeDefinition<FilesDemoConfig> = {
  name: 'files-demo',
  description: 'generate → transform (sharded) + wordcount → hash, on local files and S3',
  configSchema: FilesDemoConfigSchema,
  stages,
  presets: {
    tiny: {},
    small: { generate: { records: 20_000 }, transform: { shards: 4, rounds: 400 } },
  },
  defaultPreset: 'tiny',
};
