import type { StageDefinition } from './types.ts';

/**
 * Declares a stage with its slice type inferred from `configSlice`, so `shards` and
 * `gpuClass` see the slice's real type; the result fits a recipe's `stages` list.
 */
export function defineStage<Config, Slice>(
  definition: StageDefinition<Config, Slice>,
): StageDefinition<Config, unknown> {
  return definition as unknown as StageDefinition<Config, unknown>;
}
