import { ConfigError } from '../../errors.ts';

/**
 * Formatting of Hydra command-line override values. The launcher passes each override as one
 * argv element (no shell re-parsing), so only Hydra's own override grammar matters here.
 */

/** Characters Hydra's override grammar accepts unquoted (ID, UNQUOTED_CHAR, COLON, digits). */
const UNQUOTED_SAFE = /^[A-Za-z0-9_\-./:@+%]+$/;
/** Strings Hydra would read as a bool, null or number when left unquoted. */
const LOOKS_TYPED = /^(true|false|null|[-+]?(\d|\.\d)|inf$|nan$)/i;

/** A string value: bare when Hydra reads it back verbatim, else single-quoted. */
export function hydraString(value: string, field: string): string {
  if (value === '') throw new ConfigError(`${field}: must not be empty`);
  if (/['\\\n\r]/.test(value)) {
    throw new ConfigError(`${field}: "${value}" contains a quote, backslash or newline`);
  }
  if (UNQUOTED_SAFE.test(value) && !LOOKS_TYPED.test(value)) return value;
  return `'${value}'`;
}

/** An integer value, checked so a fractional or negative count fails here, not on the cluster. */
export function hydraInt(value: number, field: string): string {
  if (!Number.isInteger(value)) throw new ConfigError(`${field}: ${value} is not an integer`);
  return String(value);
}

/**
 * A float value, always with a '.' or an exponent so it stays a float in OmegaConf; small
 * magnitudes use the exponent form that train_ppo.sh writes (1e-6, not 0.000001).
 */
export function hydraFloat(value: number, field: string): string {
  if (!Number.isFinite(value)) throw new ConfigError(`${field}: ${value} is not finite`);
  if (value !== 0 && Math.abs(value) < 1e-3) return value.toExponential();
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/** A boolean value in the lower-case spelling of ppo_trainer.yaml. */
export function hydraBool(value: boolean): string {
  return value ? 'true' : 'false';
}

/** A flat list of bare identifiers, e.g. `trainer.logger=[console,wandb]`. */
export function hydraIdList(values: string[], field: string): string {
  for (const value of values) {
    if (!/^[a-z_]+$/.test(value))
      throw new ConfigError(`${field}: "${value}" is not an identifier`);
  }
  return `[${values.join(',')}]`;
}
