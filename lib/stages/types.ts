import type { ZodType } from 'zod';

/** Task queues are named by capability; a stage runs where its resource is. */
export const QUEUE_KINDS = ['control', 'cpu', 'gpu'] as const;
export type QueueKind = (typeof QUEUE_KINDS)[number];

/** How long one attempt may take and how often it must prove it is alive. */
export interface StageTimeouts {
  /** Upper bound on one attempt, start to close. */
  startToCloseMs: number;
  /** A silent attempt is declared lost after this long and retried elsewhere. 0 = none. */
  heartbeatMs: number;
}

/** Temporal retry policy of a stage; non-retryable LabError codes never retry. */
export interface StageRetry {
  maximumAttempts: number;
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
}

/**
 * One step of a recipe. A definition is pure data plus pure functions of the config, so the
 * planner can derive the cache key ingredients without running anything.
 */
export interface StageDefinition<Config = never, Slice = unknown> {
  name: string;
  /** Bump when the implementation changes its outputs: the version is part of the cache key. */
  version: string;
  queue: QueueKind;
  /** Name in activities/registry.ts; defaults to `name` (lets several stages share one impl). */
  impl?: string;
  /** Upstream stage names whose outputs this stage may consume (all modes together). */
  inputs: string[];
  /**
   * The inputs this slice reads, a subset of `inputs` (absent = all of them): a mode that
   * needs fewer upstream stages neither waits for the others nor is invalidated by them.
   */
  inputsOf?: (slice: Slice) => string[];
  /** The queue this slice runs on (absent = `queue`): a mode may need another resource. */
  queueOf?: (slice: Slice) => QueueKind;
  /** The part of the recipe config that affects this stage; it goes into the cache key. */
  configSlice: (config: Config) => Slice;
  /** Number of shards (child workflows) for this slice; absent or < 2 = one activity. */
  shards?: (slice: Slice) => number;
  /** GPU class this slice needs (`gpu-<class>` queue); only for `queue: 'gpu'`. */
  gpuClass?: (slice: Slice) => string | undefined;
  timeouts?: Partial<StageTimeouts>;
  retry?: Partial<StageRetry>;
  description?: string;
}

/** A named, validated config schema with its stage graph and presets. */
export interface RecipeDefinition<Config = unknown> {
  name: string;
  description: string;
  configSchema: ZodType<Config>;
  /** In any order that respects `inputs`; the planner checks the graph. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- slices differ per stage
  stages: StageDefinition<Config, any>[];
  /** Full or partial configs layered under files and `--set`; validated like any config. */
  presets: Record<string, unknown>;
  defaultPreset: string;
  /** Problems a launch must refuse (each naming its config field), found before any stage runs. */
  preflight?: (config: Config) => Promise<string[]>;
}

/** A stage as the workflow sees it: resolved to data only (no functions), JSON-serializable. */
export interface StagePlan {
  name: string;
  version: string;
  impl: string;
  queue: QueueKind;
  gpuClass?: string;
  inputs: string[];
  slice: unknown;
  /** 0 = not sharded (one activity); n >= 2 = n shard child workflows. */
  shardCount: number;
  timeouts: StageTimeouts;
  retry: StageRetry;
}

/** The whole run as data: stages in a topological order. */
export interface RunPlan {
  recipe: string;
  configHash: string;
  stages: StagePlan[];
}
