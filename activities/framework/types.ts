import { z } from 'zod';
import type { PrismaClient } from '../../prisma/generated/client.ts';
import type { Env } from '../../lib/env.ts';
import { ArtifactRefSchema, type ArtifactRef, type StageOutput } from '../../lib/stages/output.ts';
import type { StagePlan } from '../../lib/stages/types.ts';

/** What an artifact row records about its origin. */
export interface ArtifactMeta {
  kind: string;
  mediaType: string;
  producer: string;
  runId?: string;
}

/**
 * The slice of infra/s3/artifact-store.ts the framework uses, structurally, so activities can
 * be tested against any store with the same contract.
 */
export interface ArtifactStoreLike {
  putFile(path: string, meta: ArtifactMeta): Promise<ArtifactRef>;
  putBytes(data: Uint8Array, meta: ArtifactMeta): Promise<ArtifactRef>;
  getToFile(sha256: string, dest: string): Promise<unknown>;
  getBytes(sha256: string): Promise<Uint8Array>;
}

/** Optional metric mirror (MLflow); failures there never fail a stage or a run. */
export interface MetricMirror {
  logMetric(input: {
    runId: string;
    stage: string;
    key: string;
    value: number;
    step: number;
  }): Promise<void>;
  /** Closes the mirrored run, if one was opened. */
  finishRun?(input: { runId: string; status: 'COMPLETED' | 'FAILED' | 'CANCELLED' }): Promise<void>;
}

/** Hands out GPU indexes so at most `gpuCount` GPU stages run at once in one worker process. */
export interface GpuLease {
  acquire(signal: AbortSignal): Promise<{ index: number; gpuClass?: string; release(): void }>;
}

/** Everything activities need, injected once per worker. */
export interface ActivityDeps {
  db: PrismaClient;
  artifacts: ArtifactStoreLike;
  mlflow?: MetricMirror;
  env: Env;
  /** Recorded on StageRun rows; default `<pid>@<hostname>` like Temporal's worker identity. */
  workerIdentity?: string;
  gpus?: GpuLease;
  /** Where stage work dirs go; default the OS temp dir. */
  scratchDir?: string;
}

/** Progress of one attempt: shown by `show` and the UI, sent in heartbeats. */
export const StageProgressSchema = z
  .object({
    step: z.number().nonnegative(),
    total: z.number().positive().optional(),
    message: z.string().optional(),
    metrics: z.record(z.string(), z.number()).optional(),
  })
  .strict();
export type StageProgress = z.infer<typeof StageProgressSchema>;

/** A saved partial result: enough to restart a stage from `step` rather than from zero. */
export const CheckpointRecordSchema = z
  .object({
    ref: ArtifactRefSchema,
    step: z.number().nonnegative(),
    meta: z.record(z.string(), z.unknown()),
  })
  .strict();
export type CheckpointRecord = z.infer<typeof CheckpointRecordSchema>;

/** What an attempt sends with every heartbeat; the next attempt reads it back. */
export const HeartbeatDetailsSchema = z.object({
  progress: StageProgressSchema.optional(),
  checkpoint: CheckpointRecordSchema.optional(),
});
export type HeartbeatDetails = z.infer<typeof HeartbeatDetailsSchema>;

/** The StageRun row's `outputs` column: the output when done, plus the attempt's bookkeeping. */
export interface StageRunDetails {
  output?: StageOutput;
  checkpoint?: CheckpointRecord;
  resumedFrom?: {
    step: number;
    source: 'heartbeat' | 'earlier-attempt' | 'previous-run';
    runId?: string;
  };
  log?: ArtifactRef;
  timing?: { scheduledAt: number; startedAt: number; implStartedAt?: number; implEndedAt?: number };
}

/** The input of the generic `runStage` activity. */
export interface RunStageInput {
  runId: string;
  stage: StagePlan;
  /** -1 = the whole (unsharded) stage. */
  shard: number;
  cacheKey: string;
  force: boolean;
  inputs: Record<string, StageOutput>;
}

/** A line logger that also keeps the stage's own lines for the `logs` command. */
export interface StageLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** What a stage implementation gets. Everything durable goes through it. */
export interface StageContext<Slice = unknown> {
  runId: string;
  stage: string;
  shard: number;
  shardCount: number;
  attempt: number;
  cacheKey: string;
  /** The stage's validated config slice. */
  config: Slice;
  /** Outputs of the upstream stages named in `inputs`. */
  inputs: Record<string, StageOutput>;
  /** Downloads an artifact (hash-verified) into the work dir; returns the local path. */
  download(ref: ArtifactRef, fileName?: string): Promise<string>;
  /** Reports progress: a Temporal heartbeat plus a (throttled) StageRun row update. */
  heartbeat(progress: StageProgress): void;
  /**
   * Re-sends the last progress: for waits longer than the heartbeat timeout that are not
   * progress (a model server loading, a batch of slow generations).
   */
  keepAlive(): void;
  /** Uploads a partial result and records it in the heartbeat details and the StageRun row. */
  saveCheckpoint(
    data: string | Uint8Array,
    meta: { step: number } & Record<string, unknown>,
  ): Promise<CheckpointRecord>;
  /** The latest checkpoint of an earlier attempt (this run) or of a failed run with the same key. */
  lastCheckpoint(): Promise<CheckpointRecord | undefined>;
  /** Uploads a file or bytes as a named output artifact. */
  publish(
    name: string,
    data: string | Uint8Array,
    kind: string,
    mediaType: string,
  ): Promise<ArtifactRef>;
  logMetric(key: string, value: number, step?: number): Promise<void>;
  /** Aborted when Temporal cancels the activity (delivered with heartbeats). */
  signal: AbortSignal;
  workDir: string;
  log: StageLogger;
  /** The run registry, artifact store and metric mirror, for stages that index their outputs
   * in the registry themselves (evaluate, report). */
  db: PrismaClient;
  artifacts: ArtifactStoreLike;
  mlflow?: MetricMirror;
  /** The GPU this attempt holds (GPU stages only). */
  gpu?: { index: number; gpuClass?: string };
}

/** What an implementation returns; artifacts it published are added automatically. */
export interface StageResult {
  artifacts?: Record<string, ArtifactRef>;
  summary?: Record<string, unknown>;
}

/** A stage implementation: a function, or one with a schema for its config slice. */
export type StageImpl<Slice = unknown> = (ctx: StageContext<Slice>) => Promise<StageResult>;
export interface StageImplementation<Slice = unknown> {
  configSchema?: z.ZodType<Slice>;
  run: StageImpl<Slice>;
}
