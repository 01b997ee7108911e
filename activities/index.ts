import { createControlActivities } from './framework/control.ts';
import { createSweepActivities } from './evaluate/sweep-activities.ts';
import { createRunStage } from './framework/run-stage.ts';
import type { ActivityDeps, StageImpl, StageImplementation } from './framework/types.ts';
import { STAGE_REGISTRY, getStageImplementation } from './registry.ts';

export type { ActivityDeps } from './framework/types.ts';

/**
 * All activities of the platform, bound to their dependencies. Workers register the whole set
 * on every queue; the workflow decides which queue runs what.
 */
export function createActivities(
  deps: ActivityDeps,
  registry: Record<string, StageImpl<never> | StageImplementation<never>> = STAGE_REGISTRY,
) {
  return {
    ...createControlActivities(deps),
    ...createSweepActivities(deps),
    runStage: createRunStage(deps, (impl) => getStageImplementation(impl, registry)),
  };
}

/** The activity interface workflows proxy (`import type` only). */
export type Activities = ReturnType<typeof createActivities>;
