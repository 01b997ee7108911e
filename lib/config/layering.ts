import type { ZodType } from 'zod';
import { ConfigError } from '../errors.ts';
import { canonicalJson, hashJson } from '../hash.ts';
import type { RecipeDefinition } from '../stages/types.ts';

type JsonObject = Record<string, unknown>;

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Merges `over` onto `base`: objects merge key by key, everything else (arrays too) replaces. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const merged: JsonObject = { ...base };
  for (const [key, value] of Object.entries(over)) merged[key] = deepMerge(base[key], value);
  return merged;
}

/**
 * Parses one `--set key.path=value` override. The value is JSON when it parses as JSON
 * (`3`, `true`, `null`, `[1,2]`, `{"a":1}`, `"quoted"`) and a plain string otherwise.
 */
export function parseSetOverride(expression: string): { path: string[]; value: unknown } {
  const equals = expression.indexOf('=');
  if (equals <= 0) throw new ConfigError(`--set ${expression}: expected key.path=value`);
  const path = expression.slice(0, equals).trim().split('.');
  if (path.some((part) => part.length === 0)) {
    throw new ConfigError(`--set ${expression}: empty segment in key path`);
  }
  const raw = expression.slice(equals + 1);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  return { path, value };
}

/** Returns a copy of `target` with `value` at `path`, creating objects along the way. */
export function setAtPath(target: unknown, path: string[], value: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  const base: JsonObject = isPlainObject(target) ? { ...target } : {};
  base[head] = setAtPath(base[head], rest, value);
  return base;
}

/** Validates against a schema; every issue is reported with its field path. */
export function validateConfig<Config>(
  schema: ZodType<Config>,
  raw: unknown,
  origin: string,
): Config {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${[...issue.path, key].join('.')}: unknown field`);
    }
    return [`${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`];
  });
  throw new ConfigError(`invalid config (${origin}): ${lines.join('; ')}`);
}

/** Where a config comes from, in layering order. */
export interface ConfigLayers {
  recipe: RecipeDefinition<unknown>;
  /** Preset name; the recipe's default preset when absent. */
  preset?: string;
  /** Parsed contents of a config file (JSON object), layered over the preset. */
  file?: { name: string; value: unknown };
  /** `key.path=value` overrides, applied last, in order. */
  sets?: string[];
}

/** A validated config with its canonical form and hash (the experiment's identity). */
export interface ResolvedConfig {
  recipe: string;
  preset: string;
  config: unknown;
  canonical: string;
  hash: string;
}

/** preset → file → `--set` overrides → zod validation (errors name the field path). */
export function resolveConfig(layers: ConfigLayers): ResolvedConfig {
  const { recipe } = layers;
  const presetName = layers.preset ?? recipe.defaultPreset;
  if (!(presetName in recipe.presets)) {
    const known = Object.keys(recipe.presets).join(', ');
    throw new ConfigError(
      `recipe ${recipe.name}: unknown preset "${presetName}" (known: ${known})`,
    );
  }
  let raw: unknown = recipe.presets[presetName] ?? {};
  if (layers.file) {
    if (!isPlainObject(layers.file.value)) {
      throw new ConfigError(`config file ${layers.file.name}: expected a JSON object at the top`);
    }
    raw = deepMerge(raw, layers.file.value);
  }
  for (const expression of layers.sets ?? []) {
    const { path, value } = parseSetOverride(expression);
    raw = setAtPath(raw, path, value);
  }
  const config = validateConfig(recipe.configSchema, raw, `recipe ${recipe.name}`);
  return {
    recipe: recipe.name,
    preset: presetName,
    config,
    canonical: canonicalJson(config),
    hash: hashJson(config),
  };
}

/** Parses a config file's text; a syntax error names the file and position. */
export function parseConfigText(name: string, text: string): { name: string; value: unknown } {
  try {
    return { name, value: JSON.parse(text) as unknown };
  } catch (error) {
    throw new ConfigError(`config file ${name}: ${(error as Error).message}`);
  }
}
