import { deepMerge, resolveConfig } from '../../../lib/config/layering.ts';
import { ConfigError } from '../../../lib/errors.ts';
import { RECIPES, getRecipe } from '../../../lib/recipes/index.ts';
import { stageCacheKey } from '../../../lib/stages/cache-key.ts';
import { StageOutputSchema, type StageOutput } from '../../../lib/stages/output.ts';
import { buildRunPlan } from '../../../lib/stages/plan.ts';
import type { PrismaClient } from '../../../infra/db/client.ts';
import type { CachePlanEntry, FieldError, LaunchRequest, RecipeInfo, ValidationResult } from '../types.ts';

/** Every registered recipe with its presets and stage names (for the launch form). */
export function listRecipes(): RecipeInfo[] {
  return Object.values(RECIPES).map((recipe) => ({
    name: recipe.name,
    description: recipe.description,
    presets: Object.keys(recipe.presets),
    stages: recipe.stages.map((stage) => stage.name),
  }));
}

/** A preset resolved to its full config (defaults filled in), as the editor's starting point. */
export function presetConfig(recipe: string, preset: string): Record<string, unknown> {
  const resolved = resolveConfig({ recipe: getRecipe(recipe), preset });
  return resolved.config as Record<string, unknown>;
}

/** The raw config of a launch: the preset's values under the edited ones. */
export function rawConfig(request: LaunchRequest): unknown {
  const recipe = getRecipe(request.recipe);
  const presetName = request.preset ?? recipe.defaultPreset;
  if (!(presetName in recipe.presets)) {
    throw new ConfigError(`preset: unknown preset "${presetName}" of recipe ${recipe.name}`);
  }
  return deepMerge(recipe.presets[presetName] ?? {}, request.config);
}

/** Validates against the recipe schema; every issue names its field path. */
export function fieldErrors(request: LaunchRequest): { config: unknown } | { errors: FieldError[] } {
  const recipe = getRecipe(request.recipe);
  const parsed = recipe.configSchema.safeParse(rawConfig(request));
  if (parsed.success) return { config: parsed.data };
  return {
    errors: parsed.error.issues.map((issue) => {
      const base = issue.path.map(String).join('.');
      if (issue.code === 'unrecognized_keys') {
        return { path: issue.keys.map((key) => (base ? `${base}.${key}` : key)).join(', '), message: 'unknown key' };
      }
      return { path: base || '(config)', message: issue.message };
    }),
  };
}

/**
 * Which stages a launch would reuse: walks the plan in order, deriving each stage's cache key
 * from its upstream outputs found in the StageCache. Once a stage must run, its downstream keys
 * are unknown (they depend on the new outputs), so those stages will run too.
 */
export async function cachePlan(db: PrismaClient, recipeName: string, config: unknown, isForced: boolean): Promise<CachePlanEntry[]> {
  const plan = buildRunPlan(getRecipe(recipeName), config);
  const outputs: Record<string, StageOutput> = {};
  const entries: CachePlanEntry[] = [];
  for (const stage of plan.stages) {
    if (!stage.inputs.every((name) => outputs[name])) {
      entries.push({ stage: stage.name, cacheKey: null, reused: false });
      continue;
    }
    const cacheKey = stageCacheKey(stage, outputs);
    const row = isForced ? null : await db.stageCache.findUnique({ where: { cacheKey } });
    const parsed = row ? StageOutputSchema.safeParse(row.outputs) : null;
    if (parsed?.success) outputs[stage.name] = parsed.data;
    entries.push({ stage: stage.name, cacheKey, reused: Boolean(parsed?.success) });
  }
  return entries;
}

/** Validation plus cache plan, as the launch form shows it while the user types. */
export async function validateLaunch(db: PrismaClient, request: LaunchRequest): Promise<ValidationResult> {
  const checked = fieldErrors(request);
  if ('errors' in checked) return { ok: false, errors: checked.errors };
  return {
    ok: true,
    config: checked.config as Record<string, unknown>,
    cachePlan: await cachePlan(db, request.recipe, checked.config, request.force),
  };
}
