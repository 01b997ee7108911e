import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../lib/config/layering.ts';
import { ConfigError } from '../../../lib/errors.ts';
import { getRecipe } from '../../../lib/recipes/index.ts';
import { fieldErrorsOf, listRecipes, presetConfig, resolveLaunch } from './config-plan.ts';

function errorsOf(request: Parameters<typeof resolveLaunch>[0]) {
  try {
    resolveLaunch(request);
  } catch (error) {
    if (error instanceof ConfigError) return fieldErrorsOf(error);
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('launch config', () => {
  it('offers rag-r1 first, then files-demo', () => {
    expect(listRecipes().map((recipe) => recipe.name)).toEqual(['rag-r1', 'files-demo']);
    expect(listRecipes()[0]?.stages).toEqual(getRecipe('rag-r1').stages.map((stage) => stage.name));
  });

  it('resolves an edited config to the hash `rag-r1 run --config` gives', () => {
    const edited = { ...presetConfig('files-demo', 'tiny'), seed: 5 };
    const web = resolveLaunch({ recipe: 'files-demo', preset: 'tiny', config: edited, force: false });
    const cli = resolveConfig({ recipe: getRecipe('files-demo'), preset: 'tiny', file: { name: 'run.json', value: { seed: 5 } } });
    expect(web.hash).toBe(cli.hash);
    expect(web.preset).toBe('tiny');
  });

  it('names every bad field, unknown keys included', () => {
    const errors = errorsOf({
      recipe: 'files-demo',
      preset: 'tiny',
      config: { generate: { records: -5, wordsPerRecord: 12 }, colour: 'red', size: 1 },
      force: false,
    });
    expect(errors.map((error) => error.path).sort()).toEqual(['colour', 'generate.records', 'size']);
    expect(errors.find((error) => error.path === 'colour')?.message).toBe('unknown field');
    expect(errors.find((error) => error.path === 'generate.records')?.message).toMatch(/>=\s*1|too small/i);
  });

  it('puts an unknown preset or recipe on that field', () => {
    expect(errorsOf({ recipe: 'files-demo', preset: 'huge', config: {}, force: false })[0]?.path).toBe('preset');
    expect(errorsOf({ recipe: 'nope', config: {}, force: false })[0]?.path).toBe('recipe');
  });

  it('keeps a message that itself contains "; " on its field', () => {
    const errors = fieldErrorsOf(new ConfigError('invalid config (recipe x): a.b: first; still a.b; c: unknown field'));
    expect(errors).toEqual([
      { path: 'a.b', message: 'first; still a.b' },
      { path: 'c', message: 'unknown field' },
    ]);
  });
});
