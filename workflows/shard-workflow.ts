import { isCancellation, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { StageOutput } from '../lib/stages/output.ts';
import { taskQueueName } from '../lib/stages/queue-defaults.ts';
import type { StagePlan } from '../lib/stages/types.ts';
import { toWorkflowFailure } from './failures.ts';
import { controlLocalActivityOptions, stageActivityOptions } from './options.ts';

/** Input of one shard of a sharded stage. */
export interface ShardWorkflowInput {
  runId: string;
  stage: StagePlan;
  shard: number;
  inputs: Record<string, StageOutput>;
  force: boolean;
  taskQueuePrefix: string;
}

/**
 * One shard of a sharded stage, as its own child workflow so each shard's retries and
 * heartbeats stay out of the parent's history. A shard is cached under its own key.
 */
export async function shardWorkflow(input: ShardWorkflowInput): Promise<StageOutput> {
  const control = proxyLocalActivities<Activities>(controlLocalActivityOptions());
  const stageActivities = proxyActivities<Activities>(
    stageActivityOptions(input.stage, input.taskQueuePrefix),
  );
  const taskQueue = taskQueueName(input.stage.queue, input.taskQueuePrefix, input.stage.gpuClass);
  const common = {
    runId: input.runId,
    stage: input.stage,
    shard: input.shard,
    inputs: input.inputs,
    force: input.force,
  };
  try {
    const resolved = await control.resolveStageCache({ ...common, taskQueue });
    if (resolved.hit) return resolved.hit;
    return await stageActivities.runStage({ ...common, cacheKey: resolved.cacheKey });
  } catch (error) {
    if (isCancellation(error)) throw error;
    throw toWorkflowFailure(error, `${input.stage.name}#${input.shard}`);
  }
}
