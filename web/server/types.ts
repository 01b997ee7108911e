import { z } from 'zod';
import type { Comparison as EvalComparison } from '../../lib/eval/compare.ts';
import type { FinishReason } from '../../lib/agent/trajectory.ts';
import { SweepSpecSchema, type SweepSpecInput } from '../../lib/eval/sweep-spec.ts';

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
    /** Evaluation method (`ppo`, `sft`, ...); default the first of each run's methods. */
    method: z.string().min(1).optional(),
    questionId: z.string().min(1).optional(),
  })
  .strict();
export type TrajectoryRequest = z.infer<typeof TrajectoryRequestSchema>;

/** A sweep is created from the platform's own spec (lib/eval/sweep-spec.ts), as the CLI does. */
export const SweepCreateSchema = SweepSpecSchema;
export type SweepCreate = SweepSpecInput;

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

/**
 * The shared comparison (infra/eval/compare-query.ts: paired bootstrap deltas, Holm-adjusted
 * p-values, averages, stamp warnings, config diffs vs the first run), runs without configs.
 */
export type Comparison = Omit<EvalComparison, 'runs'> & {
  runs: Array<{ id: string; name?: string; status?: string }>;
};

export type TrajectoryTurn = {
  kind: 'think' | 'search' | 'documents' | 'answer' | 'text';
  text: string;
};
/** One run's answer to one question: a line of its evaluate `outputs` artifact. */
export type TrajectoryView = {
  runId: string;
  prediction: string;
  em: number;
  f1: number;
  seconds: number;
  retrievals: number;
  finishReason: FinishReason;
  cached: boolean;
  turns: TrajectoryTurn[];
};
export type TrajectoryPair = {
  dataset: string;
  method: string;
  /** Methods either run has for this dataset. */
  methods: string[];
  questionId: string;
  question: string;
  goldAnswers: string[];
  questionIds: string[];
  sides: [TrajectoryView | null, TrajectoryView | null];
};

export type SweepResultView = {
  at: string;
  method: string;
  dataset: string;
  checkpoint: string;
  n: number;
  em: number;
  f1: number;
};
/** A sweep as infra/eval/sweeps.ts reports it, with its latest results. */
export type SweepView = {
  id: string;
  name: string;
  /** `cron 0 3 * * *` or `every 3600s`. */
  schedule: string;
  paused: boolean;
  overlap: string;
  executions: number;
  running: number;
  nextRuns: string[];
  spec: unknown;
  results: SweepResultView[];
};

/** An event pushed over /api/events: a key whose state changed (`runs`, `run:<id>`, `sweeps`). */
export type ChangeEvent = { key: string; version: string };
