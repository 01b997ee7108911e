import type { StageImpl, StageImplementation } from './framework/types.ts';
import { generateStage } from './demo/generate.ts';
import { hashStage } from './demo/hash.ts';
import { transformStage } from './demo/transform.ts';
import { trivialStage } from './demo/trivial.ts';
import { wordcountStage } from './demo/wordcount.ts';

/**
 * Stage implementations by impl name (StageDefinition.impl, default its name). A recipe stage
 * plugs in by adding one line here; the generic `runStage` activity dispatches on this map.
 */
export const STAGE_REGISTRY: Record<string, StageImpl<never> | StageImplementation<never>> = {
  generate: generateStage,
  transform: transformStage,
  wordcount: wordcountStage,
  hash: hashStage,
  trivial: trivialStage,
};

/** The implementation registered under `impl`, normalized to the object form. */
export function getStageImplementation(
  impl: string,
  registry: Record<string, StageImpl<never> | StageImplementation<never>> = STAGE_REGISTRY,
): StageImplementation<unknown> | undefined {
  const entry = registry[impl];
  if (!entry) return undefined;
  return (typeof entry === 'function' ? { run: entry } : entry) as unknown as StageImplementation<unknown>;
}
