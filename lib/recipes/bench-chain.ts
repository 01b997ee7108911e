import { z } from 'zod';
import type { RecipeDefinition, StageDefinition } from '../stages/types.ts';

/** Length of the benchmark chain; fixed so the graph is static like every recipe's. */
export const BENCH_CHAIN_LENGTH = 100;

export const BenchChainConfigSchema = z
  .object({
    nonce: z.string().default('').describe('changes every cache key (fresh runs)'),
  })
  .strict();
export type BenchChainConfig = z.infer<typeof BenchChainConfigSchema>;

function stepName(index: number): string {
  return `step-${String(index).padStart(3, '0')}`;
}

/** Builds a chain of trivial stages on one queue. */
function chain(queue: 'control' | 'cpu'): StageDefinition<BenchChainConfig>[] {
  return Array.from({ length: BENCH_CHAIN_LENGTH }, (_, index) => ({
    name: stepName(index),
    version: '1',
    queue,
    impl: 'trivial',
    inputs: index === 0 ? [] : [stepName(index - 1)],
    configSlice: (config: BenchChainConfig) => ({ nonce: config.nonce, index }),
    timeouts: { startToCloseMs: 60_000, heartbeatMs: 0 },
    retry: { maximumAttempts: 3 },
  }));
}

/**
 * 100 trivial stages in a chain: measures what the framework costs per stage (scheduling,
 * cache lookup, StageRun bookkeeping) when the stage itself does almost nothing.
 */
export const benchChainRecipe: RecipeDefinition<BenchChainConfig> = {
  name: 'bench-chain',
  description: `${BENCH_CHAIN_LENGTH} trivial stages in a chain (orchestration benchmark)`,
  configSchema: BenchChainConfigSchema,
  stages: chain('cpu'),
  presets: { tiny: {} },
  defaultPreset: 'tiny',
};
