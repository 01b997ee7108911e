import { ConfigError } from '../errors.ts';
import { hashJson } from '../hash.ts';
import { topologicalOrder } from './graph.ts';
import { QUEUE_RETRY, QUEUE_TIMEOUTS } from './queue-defaults.ts';
import type { RecipeDefinition, RunPlan, StageDefinition, StagePlan } from './types.ts';

/**
 * Resolves a recipe's stage graph against a validated config into pure data: slices, shard
 * counts, the queue and inputs of each slice's mode, and effective timeouts/retries. The workflow executes this plan; it never sees the
 * recipe's functions. Node only (the config hash uses node:crypto).
 */
export function buildRunPlan<Config>(recipe: RecipeDefinition<Config>, config: Config): RunPlan {
  let ordered: StageDefinition<Config>[];
  try {
    ordered = topologicalOrder(recipe.stages);
  } catch (error) {
    throw new ConfigError(`recipe ${recipe.name}: ${(error as Error).message}`);
  }
  return {
    recipe: recipe.name,
    configHash: hashJson(config),
    stages: ordered.map((stage) => planStage(stage, config)),
  };
}

function planStage<Config>(stage: StageDefinition<Config>, config: Config): StagePlan {
  const slice: unknown = stage.configSlice(config) ?? null;
  const shards = stage.shards ? stage.shards(slice) : 0;
  if (!Number.isInteger(shards) || shards < 0) {
    throw new ConfigError(`stage ${stage.name}: shard count must be a non-negative integer`);
  }
  const queue = stage.queueOf ? stage.queueOf(slice) : stage.queue;
  const gpuClass = queue === 'gpu' && stage.gpuClass ? stage.gpuClass(slice) : undefined;
  const plan: StagePlan = {
    name: stage.name,
    version: stage.version,
    impl: stage.impl ?? stage.name,
    queue,
    inputs: planInputs(stage, slice),
    slice,
    shardCount: shards >= 2 ? shards : 0,
    timeouts: { ...QUEUE_TIMEOUTS[queue], ...stage.timeouts },
    retry: { ...QUEUE_RETRY[queue], ...stage.retry },
  };
  if (gpuClass) plan.gpuClass = gpuClass;
  return plan;
}

/** The inputs of this slice; only declared ones, so the graph's order still holds. */
function planInputs<Config>(stage: StageDefinition<Config>, slice: unknown): string[] {
  if (!stage.inputsOf) return [...stage.inputs];
  const inputs = stage.inputsOf(slice);
  const undeclared = inputs.filter((name) => !stage.inputs.includes(name));
  if (undeclared.length > 0) {
    throw new ConfigError(
      `stage ${stage.name}: inputsOf names ${undeclared.join(', ')}, not among its inputs`,
    );
  }
  return [...inputs];
}
