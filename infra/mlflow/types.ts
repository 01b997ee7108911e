import { z } from 'zod';

/** MLflow serialises NaN and infinities as strings (protobuf JSON); numbers otherwise. */
const MetricValueSchema = z.union([z.number(), z.string()]).transform((value) => Number(value));

const int64 = z.union([z.number(), z.string()]).transform((value) => Number(value));

export const RunStatusSchema = z.enum(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']);
export type MlflowRunStatus = z.infer<typeof RunStatusSchema>;

export const MetricSchema = z.object({
  key: z.string(),
  value: MetricValueSchema,
  timestamp: int64,
  step: int64.default(0),
});
export type MlflowMetric = z.infer<typeof MetricSchema>;

const KeyValueSchema = z.object({ key: z.string(), value: z.string().default('') });

export const RunSchema = z.object({
  info: z.object({
    run_id: z.string(),
    experiment_id: z.string(),
    run_name: z.string().optional(),
    status: RunStatusSchema,
    start_time: int64.optional(),
    end_time: int64.optional(),
    lifecycle_stage: z.string().optional(),
  }),
  data: z
    .object({
      metrics: z.array(MetricSchema).default([]),
      params: z.array(KeyValueSchema).default([]),
      tags: z.array(KeyValueSchema).default([]),
    })
    .default({ metrics: [], params: [], tags: [] }),
});
export type MlflowRun = z.infer<typeof RunSchema>;

export const ExperimentSchema = z.object({
  experiment_id: z.string(),
  name: z.string(),
  lifecycle_stage: z.string().optional(),
  artifact_location: z.string().optional(),
});
export type MlflowExperiment = z.infer<typeof ExperimentSchema>;

/** A metric point to log; `timestamp` defaults to now (ms), `step` to 0. */
export interface MetricPoint {
  key: string;
  value: number;
  step?: number;
  timestamp?: number;
}

export const RESPONSES = {
  experiment: z.object({ experiment: ExperimentSchema }),
  createExperiment: z.object({ experiment_id: z.string() }),
  run: z.object({ run: RunSchema }),
  metricHistory: z.object({
    metrics: z.array(MetricSchema).default([]),
    next_page_token: z.string().optional(),
  }),
  searchRuns: z.object({
    runs: z.array(RunSchema).default([]),
    next_page_token: z.string().optional(),
  }),
  empty: z.object({}),
};
