import { validateConfig } from '../../lib/config/layering.ts';
import { getRecipe } from '../../lib/recipes/index.ts';
import { stageCacheKey } from '../../lib/stages/cache-key.ts';
import type { StageOutput } from '../../lib/stages/output.ts';
import { buildRunPlan } from '../../lib/stages/plan.ts';
import type { RunPlan, StagePlan } from '../../lib/stages/types.ts';
import { toActivityFailure } from './failures.ts';
import { findCachedOutput, storeCachedOutput } from '../../infra/db/stage-cache.ts';
import { recordCachedStage } from './stage-runs.ts';
import type { ActivityDeps } from './types.ts';

/** Input of `planRun`. */
export interface PlanRunInput {
  runId: string;
  recipe: string;
  config: unknown;
}

/** Input of `resolveStageCache`. */
export interface ResolveStageCacheInput {
  runId: string;
  stage: StagePlan;
  /** -1 = the whole stage (sharded or not); >= 0 = one shard. */
  shard: number;
  inputs: Record<string, StageOutput>;
  force: boolean;
  taskQueue: string;
}

/** The key of a stage (or shard) and its reusable output, if any. */
export interface StageCacheResolution {
  cacheKey: string;
  hit: StageOutput | null;
  hitFromRunId?: string;
}

/** Input of `completeShardedStage`. */
export interface CompleteShardedStageInput {
  runId: string;
  stage: StagePlan;
  cacheKey: string;
  shards: StageOutput[];
  taskQueue: string;
}

/** Input of `finishRun`. */
export interface FinishRunInput {
  runId: string;
  status: 'COMPLETED' | 'FAILED' | 'CANCELLED';
  error?: string;
}

/** The light bookkeeping activities of the `control` queue. */
export function createControlActivities(deps: ActivityDeps) {
  const { db } = deps;
  return {
    /** Validates the config against its recipe and resolves the stage graph; marks the run RUNNING. */
    async planRun(input: PlanRunInput): Promise<RunPlan> {
      try {
        const recipe = getRecipe(input.recipe);
        const config = validateConfig(recipe.configSchema, input.config, `run ${input.runId}`);
        const plan = buildRunPlan(recipe, config);
        await db.run.updateMany({
          where: { id: input.runId, status: 'PENDING' },
          data: { status: 'RUNNING', startedAt: new Date() },
        });
        return plan;
      } catch (error) {
        throw toActivityFailure(error);
      }
    },

    /** Computes the cache key; on a hit (and not forced) records a CACHED row and returns it. */
    async resolveStageCache(input: ResolveStageCacheInput): Promise<StageCacheResolution> {
      const cacheKey = stageCacheKey(
        input.stage,
        input.inputs,
        input.shard >= 0 ? input.shard : undefined,
      );
      const found = await findCachedOutput(db, cacheKey, input.force ? input.runId : undefined);
      if (!found) return { cacheKey, hit: null };
      await recordCachedStage(db, {
        runId: input.runId,
        stage: input.stage.name,
        shard: input.shard,
        cacheKey,
        taskQueue: input.taskQueue,
        details: { output: found.outputs },
        status: found.runId === input.runId ? 'COMPLETED' : 'CACHED',
      });
      return { cacheKey, hit: found.outputs, hitFromRunId: found.runId };
    },

    /** Combines shard outputs into the stage's output, caches it and records the aggregate row. */
    async completeShardedStage(input: CompleteShardedStageInput): Promise<StageOutput> {
      const output: StageOutput = {
        artifacts: {},
        summary: { shards: input.shards.length },
        shards: input.shards,
      };
      await storeCachedOutput(db, {
        cacheKey: input.cacheKey,
        stage: input.stage.name,
        runId: input.runId,
        outputs: output,
      });
      await recordCachedStage(db, {
        runId: input.runId,
        stage: input.stage.name,
        shard: -1,
        cacheKey: input.cacheKey,
        taskQueue: input.taskQueue,
        details: { output },
        status: 'COMPLETED',
      });
      return output;
    },

    /** Closes the run: its status, error and end time; attempts still open are closed too. */
    async finishRun(input: FinishRunInput): Promise<void> {
      const now = new Date();
      await db.run.update({
        where: { id: input.runId },
        data: { status: input.status, error: input.error ?? null, finishedAt: now },
      });
      await deps.mlflow
        ?.finishRun?.({ runId: input.runId, status: input.status })
        .catch(() => undefined);
      if (input.status === 'COMPLETED') return;
      await db.stageRun.updateMany({
        where: { runId: input.runId, status: { in: ['RUNNING', 'PENDING'] } },
        data: {
          status: input.status,
          finishedAt: now,
          error: input.status === 'CANCELLED' ? 'run cancelled' : 'run failed',
          errorType: input.status,
        },
      });
    },
  };
}
