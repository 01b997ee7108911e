import { ConfigError } from '../errors.ts';
import type { RecipeDefinition } from '../stages/types.ts';
import { benchChainRecipe } from './bench-chain.ts';
import { filesDemoRecipe } from './files-demo.ts';
import { ragR1Recipe } from '../rag-r1/recipe.ts';

/**
 * Every recipe the platform can run, by name. Add a recipe by importing its definition here;
 * its stage implementations go in activities/registry.ts.
 */
export const RECIPES: Record<string, RecipeDefinition<never>> = {
  [filesDemoRecipe.name]: filesDemoRecipe as unknown as RecipeDefinition<never>,
  [benchChainRecipe.name]: benchChainRecipe as unknown as RecipeDefinition<never>,
  [ragR1Recipe.name]: ragR1Recipe as unknown as RecipeDefinition<never>,
};

/** The recipe every command uses when none is named. */
export const DEFAULT_RECIPE = 'rag-r1';

/** Looks a recipe up; an unknown name is a ConfigError listing the known ones. */
export function getRecipe(name: string): RecipeDefinition<unknown> {
  const recipe = RECIPES[name];
  if (!recipe) {
    throw new ConfigError(`unknown recipe "${name}" (known: ${Object.keys(RECIPES).join(', ')})`);
  }
  return recipe as unknown as RecipeDefinition<unknown>;
}
