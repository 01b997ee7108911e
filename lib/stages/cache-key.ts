import { hashJson } from '../hash.ts';
import { outputDigest, type StageOutput } from './output.ts';
import type { StagePlan } from './types.ts';

/** What a cache key is made of, for display (`run --plan`) and debugging. */
export interface CacheKeyParts {
  stage: string;
  version: string;
  slice: unknown;
  inputs: Record<string, unknown>;
  shard?: number;
}

/** The ingredients of a stage's key: name, code version, config slice, input artifact hashes. */
export function cacheKeyParts(
  stage: Pick<StagePlan, 'name' | 'version' | 'slice' | 'inputs'>,
  inputs: Record<string, StageOutput>,
  shard?: number,
): CacheKeyParts {
  const digests: Record<string, unknown> = {};
  for (const name of stage.inputs) {
    const output = inputs[name];
    if (!output) throw new Error(`cache key of "${stage.name}": input "${name}" has no output`);
    digests[name] = outputDigest(output);
  }
  const parts: CacheKeyParts = {
    stage: stage.name,
    version: stage.version,
    slice: stage.slice ?? null,
    inputs: digests,
  };
  if (shard !== undefined && shard >= 0) parts.shard = shard;
  return parts;
}

/** sha256 of the canonical JSON of the key parts. Node only (uses node:crypto). */
export function stageCacheKey(
  stage: Pick<StagePlan, 'name' | 'version' | 'slice' | 'inputs'>,
  inputs: Record<string, StageOutput>,
  shard?: number,
): string {
  return hashJson(cacheKeyParts(stage, inputs, shard));
}
