import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { filesDemoRecipe } from '../recipes/files-demo.ts';
import { stageCacheKey } from './cache-key.ts';
import { defineStage } from './define.ts';
import { downstreamOf, readyStages, topologicalOrder } from './graph.ts';
import { buildRunPlan } from './plan.ts';
import type { RecipeDefinition } from './types.ts';

const node = (name: string, inputs: string[] = []) => ({ name, inputs });

describe('topologicalOrder', () => {
  it('puts inputs first and keeps the given order otherwise', () => {
    const order = topologicalOrder([node('c', ['a', 'b']), node('a'), node('b', ['a'])]);
    expect(order.map((stage) => stage.name)).toEqual(['a', 'b', 'c']);
  });

  it('rejects duplicates, unknown inputs and cycles, naming the stage', () => {
    expect(() => topologicalOrder([node('a'), node('a')])).toThrow('duplicate stage "a"');
    expect(() => topologicalOrder([node('a', ['x'])])).toThrow('"a" reads unknown stage "x"');
    expect(() => topologicalOrder([node('a', ['b']), node('b', ['a'])])).toThrow(
      'cycle among a, b',
    );
  });
});

describe('the files-demo plan', () => {
  const plan = buildRunPlan(filesDemoRecipe, filesDemoRecipe.configSchema.parse({}));

  it('runs transform and wordcount in parallel once generate is done', () => {
    expect(readyStages(plan.stages, new Set(), new Set()).map((stage) => stage.name)).toEqual([
      'generate',
    ]);
    const ready = readyStages(plan.stages, new Set(['generate']), new Set());
    expect(ready.map((stage) => stage.name)).toEqual(['transform', 'wordcount']);
    expect(downstreamOf(plan.stages, 'transform')).toEqual(['hash']);
  });

  it('shards transform and fills queue defaults under stage overrides', () => {
    const transform = plan.stages.find((stage) => stage.name === 'transform');
    expect(transform?.shardCount).toBe(2);
    expect(transform?.timeouts.heartbeatMs).toBe(3_000);
    expect(transform?.retry.backoffCoefficient).toBe(2);
  });

  it('changes a cache key with the slice, the version, the inputs and the shard', () => {
    const generate = plan.stages[0]!;
    const ref = { sha256: 'a'.repeat(64), bytes: 1, kind: 'k', mediaType: 'm', uri: 'u' };
    const transform = plan.stages.find((stage) => stage.name === 'transform')!;
    const inputs = { generate: { artifacts: { records: ref }, summary: { at: 1 } } };
    const base = stageCacheKey(transform, inputs, 0);
    expect(
      stageCacheKey(transform, { generate: { ...inputs.generate, summary: { at: 2 } } }, 0),
    ).toBe(base);
    expect(stageCacheKey(transform, inputs, 1)).not.toBe(base);
    expect(stageCacheKey({ ...transform, version: '2' }, inputs, 0)).not.toBe(base);
    expect(
      stageCacheKey(
        transform,
        { generate: { artifacts: { records: { ...ref, sha256: 'b'.repeat(64) } }, summary: {} } },
        0,
      ),
    ).not.toBe(base);
    expect(stageCacheKey({ ...generate, slice: { seed: 8 } }, {})).not.toBe(
      stageCacheKey(generate, {}),
    );
  });
});

describe('a stage whose queue and inputs depend on its slice', () => {
  const recipe = (inputsOf: (slice: { mode: string }) => string[]): RecipeDefinition<string> => ({
    name: 'modes',
    description: '',
    configSchema: z.string(),
    presets: {},
    defaultPreset: 'a',
    stages: [
      { name: 'data', version: '1', queue: 'cpu', inputs: [], configSlice: () => null },
      { name: 'model', version: '1', queue: 'gpu', inputs: ['data'], configSlice: () => null },
      defineStage({
        name: 'pick',
        version: '1',
        queue: 'cpu',
        inputs: ['data', 'model'],
        configSlice: (mode: string) => ({ mode }),
        inputsOf,
        queueOf: (slice) => (slice.mode === 'probe' ? 'gpu' : 'cpu'),
      }),
    ],
  });
  const pick = (mode: string) =>
    buildRunPlan(
      recipe((slice) => (slice.mode === 'probe' ? ['data', 'model'] : ['data'])),
      mode,
    ).stages.find((stage) => stage.name === 'pick')!;

  it('plans each mode with its own queue, queue defaults and inputs', () => {
    expect(pick('plain')).toMatchObject({ queue: 'cpu', inputs: ['data'] });
    expect(pick('plain').retry.maximumAttempts).toBe(5);
    expect(pick('probe')).toMatchObject({ queue: 'gpu', inputs: ['data', 'model'] });
    expect(pick('probe').retry.maximumAttempts).toBe(3);
  });

  it('refuses inputs the stage does not declare', () => {
    expect(() =>
      buildRunPlan(
        recipe(() => ['data', 'elsewhere']),
        'plain',
      ),
    ).toThrow('stage pick: inputsOf names elsewhere, not among its inputs');
  });
});
