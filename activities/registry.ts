import type { StageImpl, StageImplementation } from './framework/types.ts';
import { generateStage } from './demo/generate.ts';
import { hashStage } from './demo/hash.ts';
import { transformStage } from './demo/transform.ts';
import { trivialStage } from './demo/trivial.ts';
import { wordcountStage } from './demo/wordcount.ts';
import { evaluateStage } from './evaluate/evaluate-stage.ts';
import { filterStage } from './filter/filter-stage.ts';
import { reportStage } from './report/report-stage.ts';
import { ppoTrainStage } from './ppo-train/ppo-train-stage.ts';
import { prepareStage } from './prepare/prepare-stage.ts';
import { sftSplitStage } from './sft-split/sft-split-stage.ts';
import { sftTrainStage } from './sft-train/sft-train-stage.ts';
import { teacherSampleStage } from './teacher-sample/teacher-sample-stage.ts';

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
  prepare: prepareStage,
  'teacher-sample': teacherSampleStage,
  'sft-split': sftSplitStage,
  'sft-train': sftTrainStage,
  filter: filterStage,
  'ppo-train': ppoTrainStage,
  evaluate: evaluateStage,
  report: reportStage,
};

/** The implementation registered under `impl`, normalized to the object form. */
export function getStageImplementation(
  impl: string,
  registry: Record<string, StageImpl<never> | StageImplementation<never>> = STAGE_REGISTRY,
): StageImplementation<unknown> | undefined {
  const entry = registry[impl];
  if (!entry) return undefined;
  return (typeof entry === 'function'
    ? { run: entry }
    : entry) as unknown as StageImplementation<unknown>;
}
