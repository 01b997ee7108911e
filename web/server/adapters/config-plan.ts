import { resolveConfig, type ResolvedConfig } from '../../../lib/config/layering.ts';
import { ConfigError } from '../../../lib/errors.ts';
import { DEFAULT_RECIPE, getRecipe } from '../../../lib/recipes/index.ts';
import { stageCacheKey } from '../../../lib/stages/cache-key.ts';
import { findCachedOutput } from '../../../infra/db/stage-cache.ts';
import type { StageOutput } from '../../../lib/stages/output.ts';
import { buildRunPlan } from '../../../lib/stages/plan.ts';
import type { PrismaClient } from '../../../infra/db/client.ts';
import type {
  CachePlanEntry,
  FieldError,
  LaunchRequest,
  RecipeInfo,
  ValidationResult,
} from '../types.ts';

/** Recipes the launch form offers, the platform default first (others stay CLI-only). */
export const LAUNCH_RECIPES: readonly string[] = [DEFAULT_RECIPE, 'files-demo'];

/** The launch form's recipes with their presets and stage names. */
export function listRecipes(): RecipeInfo[] {
  return LAUNCH_RECIPES.map((name) => getRecipe(name)).map((recipe) => ({
    name: recipe.name,
    description: recipe.description,
    presets: Object.keys(recipe.presets),
    stages: recipe.stages.map((stage) => stage.name),
  }));
}

/** A preset resolved to its full config (defaults filled in), as the editor's starting point. */
export function presetConfig(recipe: string, preset: string): Record<string, unknown> {
  return resolveConfig({ recipe: getRecipe(recipe), preset }).config as Record<string, unknown>;
}

/**
 * A launch's config resolved exactly as `rag-r1 run --preset P --config FILE` resolves it (the
 * editor's JSON is the file layer), so equal configs get the CLI's hash and experiment.
 */
export function resolveLaunch(request: LaunchRequest): ResolvedConfig {
  return resolveConfig({
    recipe: getRecipe(request.recipe),
    ...(request.preset ? { preset: request.preset } : {}),
    file: { name: 'config editor', value: request.config },
  });
}

const FIELD_ISSUE = /^([^\s:;]+): ([\s\S]*)$/;

/**
 * Field errors from a ConfigError raised by lib/config (whose messages read
 * `invalid config (origin): a.b: message; c: unknown field`), for the inline error list.
 */
export function fieldErrorsOf(error: ConfigError): FieldError[] {
  const { message } = error;
  if (/^unknown recipe /.test(message)) return [{ path: 'recipe', message }];
  if (/: unknown preset /.test(message)) return [{ path: 'preset', message }];
  const list = /^invalid config \([^)]*\): ([\s\S]*)$/.exec(message)?.[1];
  if (list === undefined) return [{ path: '(config)', message }];
  const errors: FieldError[] = [];
  for (const part of list.split('; ')) {
    const match = FIELD_ISSUE.exec(part);
    const previous = errors.at(-1);
    if (match)
      errors.push({
        path: match[1] === '(root)' ? '(config)' : (match[1] ?? ''),
        message: match[2] ?? '',
      });
    else if (previous) previous.message += `; ${part}`;
    else errors.push({ path: '(config)', message: part });
  }
  return errors;
}

/**
 * Which stages a launch would reuse: walks the plan in order, deriving each stage's cache key
 * from its upstream outputs found in the stage cache, as the workflow does. Once a stage must
 * run, its downstream keys depend on the new outputs, so those stages will run too. A forced
 * launch reuses nothing (the workflow only accepts a forced run's own outputs).
 */
export async function cachePlan(
  db: PrismaClient,
  resolved: ResolvedConfig,
  isForced: boolean,
): Promise<CachePlanEntry[]> {
  const plan = buildRunPlan(getRecipe(resolved.recipe), resolved.config);
  const outputs: Record<string, StageOutput> = {};
  const entries: CachePlanEntry[] = [];
  for (const stage of plan.stages) {
    if (!stage.inputs.every((name) => outputs[name])) {
      entries.push({ stage: stage.name, cacheKey: null, reused: false });
      continue;
    }
    const cacheKey = stageCacheKey(stage, outputs);
    const found = isForced ? undefined : await findCachedOutput(db, cacheKey);
    if (found) outputs[stage.name] = found.outputs;
    entries.push({ stage: stage.name, cacheKey, reused: found !== undefined });
  }
  return entries;
}

/** Validation plus cache plan, as the launch form shows it while the user types. */
export async function validateLaunch(
  db: PrismaClient,
  request: LaunchRequest,
): Promise<ValidationResult> {
  try {
    const resolved = resolveLaunch(request);
    return {
      ok: true,
      config: resolved.config as Record<string, unknown>,
      cachePlan: await cachePlan(db, resolved, request.force),
    };
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, errors: fieldErrorsOf(error) };
    throw error;
  }
}
