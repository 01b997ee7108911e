import { z } from 'zod';

/**
 * The web API's contract: request schemas (zod, validated by the server) and the response
 * shapes the UI reads. The UI imports these with `import type` only, so nothing here runs in
 * the browser.
 */

export const RUN_STATUSES = ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export type StageStatus = RunStatus | 'CACHED';

export const RunFilterSchema = z
  .object({
    status: z.enum(RUN_STATUSES).optional(),
    recipe: z.string().min(1).optional(),
    search: z.string().min(1).optional(),
    limit: z.coerce.number().int().positive().max(500).default(100),
  })
  .strict();
export type RunFilter = z.infer<typeof RunFilterSchema>;

export const LaunchRequestSchema = z
  .object({
    recipe: z.string().min(1),
    preset: z.string().min(1).optional(),
    config: z.record(z.string(), z.unknown()).default({}),
    force: z.boolean().default(false),
  })
  .strict();
export type LaunchRequest = z.infer<typeof LaunchRequestSchema>;

export const CompareRequestSchema = z
  .object({ runIds: z.array(z.string().min(1)).min(2).max(8) })
  .strict();

export const TrajectoryRequestSchema = z
  .object({
    runA: z.string().min(1),
    runB: z.string().min(1),
    dataset: z.string().min(1),
    questionId: z.string().min(1).optional(),
  })
  .strict();
export type TrajectoryRequest = z.infer<typeof TrajectoryRequestSchema>;

export const SweepCreateSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes'),
    cron: z.string().min(1).describe('cron expression, e.g. "0 3 * * *"'),
    runIds: z.array(z.string().min(1)).min(1).describe('runs whose checkpoints are evaluated'),
    datasets: z.array(z.string().min(1)).min(1),
    topK: z.array(z.number().int().positive()).min(1).default([3]),
  })
  .strict();
export type SweepCreate = z.infer<typeof SweepCreateSchema>;

/** One field-level problem, with the dotted path the UI shows next to the input. */
export type FieldError = { path: string; message: string };

export type RecipeInfo = {
  name: string;
  description: string;
  presets: string[];
  stages: string[];
};

export type CachePlanEntry = { stage: string; cacheKey: string | null; reused: boolean };

export type ValidationResult =
  | { ok: true; config: Record<string, unknown>; cachePlan: CachePlanEntry[] }
  | { ok: false; errors: FieldError[] };

export type RunSummary = {
  id: string;
  workflowId: string;
  experimentName: string;
  recipe: string;
  preset: string | null;
  status: RunStatus;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  resumedFromId: string | null;
  /** Latest value of each headline metric (e.g. eval/em, ppo/reward). */
  metrics: Record<string, number>;
};

export type StageView = {
  stage: string;
  /** Upstream stage names (edges of the graph). */
  inputs: string[];
  status: StageStatus;
  attempt: number;
  shards: number;
  progress: number;
  progressTotal: number | null;
  cacheHit: boolean;
  taskQueue: string;
  workerIdentity: string | null;
  message: string | null;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
};

export type ArtifactView = {
  sha256: string;
  kind: string;
  bytes: number;
  mediaType: string;
  producer: string;
};

export type MetricSeries = { key: string; points: Array<{ step: number; value: number }> };
export type LogLine = { at: string; level: 'info' | 'warn' | 'error'; text: string };
export type EvalRow = { dataset: string; method: string; n: number; em: number; f1: number };

export type RunDetail = RunSummary & {
  config: unknown;
  error: string | null;
  stages: StageView[];
  artifacts: ArtifactView[];
  evals: EvalRow[];
  links: { temporal: string; mlflow: string | null };
};

export type CompareCell = {
  runId: string;
  em: number;
  f1: number;
  n: number;
  meanSeconds: number;
  meanRetrievals: number;
  /** Difference to the first (baseline) run with a 95% interval; null for the baseline. */
  deltaEm: { value: number; low: number; high: number } | null;
};
export type CompareRow = { dataset: string; method: string; cells: Array<CompareCell | null> };
export type ConfigDiffEntry = { path: string; values: unknown[] };
export type Comparison = {
  runs: RunSummary[];
  rows: CompareRow[];
  configDiff: ConfigDiffEntry[];
  /** How the intervals were computed, shown under the table. */
  intervalMethod: string;
};

export type TrajectoryTurn = {
  kind: 'think' | 'search' | 'documents' | 'answer' | 'text';
  text: string;
};
export type TrajectoryView = {
  runId: string;
  prediction: string;
  em: number | null;
  f1: number | null;
  reward: number | null;
  turns: TrajectoryTurn[];
};
export type TrajectoryPair = {
  dataset: string;
  questionId: string;
  question: string;
  goldAnswers: string[];
  questionIds: string[];
  sides: [TrajectoryView | null, TrajectoryView | null];
};

export type SweepView = {
  id: string;
  name: string;
  cron: string;
  paused: boolean;
  spec: unknown;
  createdAt: string;
  results: Array<{ at: string; dataset: string; checkpoint: string; em: number; f1: number }>;
};

/** An event pushed over /api/events: a key whose state changed (`runs`, `run:<id>`, `sweeps`). */
export type ChangeEvent = { key: string; version: string };
