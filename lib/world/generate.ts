import { z } from 'zod';
import { DATASET_NAMES, type DatasetName, type QaItem } from '../qa/types.ts';
import type { Passage } from '../retrieval/types.ts';
import { generateQuestionSets } from './benchmarks.ts';
import { generateGraph } from './graph.ts';
import { renderCorpus } from './render.ts';
import type { WorldGraph } from './schema.ts';

export const WorldOptionsSchema = z
  .object({
    seed: z.number().int().nonnegative().describe('generator seed; same seed, same world'),
    passages: z.number().int().min(200).max(2_000_000).describe('corpus size in passages (exact)'),
    testSize: z
      .number()
      .int()
      .positive()
      .default(80)
      .describe('questions per benchmark-shaped test set'),
    trainSize: z.number().int().positive().default(1500).describe('questions in the training pool'),
  })
  .strict();
export type WorldOptions = z.input<typeof WorldOptionsSchema>;

/** A generated world in memory: what `world generate` writes to disk. */
export interface World {
  options: z.infer<typeof WorldOptionsSchema>;
  graph: WorldGraph;
  corpus: Passage[];
  qa: Record<DatasetName, QaItem[]>;
  train: QaItem[];
}

/** Entity passages average about 1.57 each; leave ~15% of the corpus for filler distractors. */
const PASSAGES_PER_ENTITY = 1.57;
const FILLER_SHARE = 0.15;

/** Generates the whole tiny world, deterministically from the seed. */
export function generateWorld(input: WorldOptions): World {
  const options = WorldOptionsSchema.parse(input);
  const entityCount = Math.floor((options.passages * (1 - FILLER_SHARE)) / PASSAGES_PER_ENTITY);
  const { entities, facts } = generateGraph(options.seed, entityCount);
  const { passages, support } = renderCorpus(options.seed, entities, facts, options.passages);
  const { sets, plans } = generateQuestionSets({
    seed: options.seed,
    entities,
    facts,
    support,
    testSize: options.testSize,
    trainSize: options.trainSize,
    names: DATASET_NAMES,
  });
  const { train, ...qa } = sets;
  return {
    options,
    graph: { seed: options.seed, entities, facts, support, questions: plans },
    corpus: passages,
    qa,
    train,
  };
}
