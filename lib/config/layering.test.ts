import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { filesDemoRecipe } from '../recipes/files-demo.ts';
import type { RecipeDefinition } from '../stages/types.ts';
import { parseConfigText, parseSetOverride, resolveConfig } from './layering.ts';

const recipe = filesDemoRecipe as unknown as RecipeDefinition<unknown>;

describe('resolveConfig', () => {
  it('layers preset, file and --set in that order', () => {
    const resolved = resolveConfig({
      recipe,
      preset: 'small',
      file: parseConfigText('c.json', '{"transform":{"shards":3,"rounds":5}}'),
      sets: ['transform.rounds=9', 'faults.whileFileExists=/tmp/x'],
    });
    const config = resolved.config as {
      generate: { records: number };
      transform: { shards: number; rounds: number };
      faults: { whileFileExists: string };
    };
    expect(config.generate.records).toBe(20_000);
    expect(config.transform.shards).toBe(3);
    expect(config.transform.rounds).toBe(9);
    expect(config.faults.whileFileExists).toBe('/tmp/x');
    expect(resolved.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives the same hash whatever the key order of the sources', () => {
    const a = resolveConfig({ recipe, sets: ['seed=3', 'transform.shards=4'] });
    const b = resolveConfig({ recipe, sets: ['transform.shards=4', 'seed=3'] });
    expect(a.hash).toBe(b.hash);
    expect(a.hash).not.toBe(resolveConfig({ recipe }).hash);
  });

  it('names the field path of a bad value and of an unknown key', () => {
    expect(() => resolveConfig({ recipe, sets: ['transform.shards=0'] })).toThrow(
      /transform\.shards/,
    );
    expect(() => resolveConfig({ recipe, sets: ['transform.shardz=2'] })).toThrow(
      /transform.*shardz/,
    );
    expect(() => resolveConfig({ recipe, preset: 'huge' })).toThrow(ConfigError);
  });
});

describe('parseSetOverride', () => {
  it('parses JSON values and falls back to strings', () => {
    expect(parseSetOverride('a.b=3')).toEqual({ path: ['a', 'b'], value: 3 });
    expect(parseSetOverride('a=null').value).toBeNull();
    expect(parseSetOverride('a=hello world').value).toBe('hello world');
    expect(parseSetOverride('a=[1,2]').value).toEqual([1, 2]);
    expect(() => parseSetOverride('=3')).toThrow(ConfigError);
  });
});
