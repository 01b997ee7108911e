/**
 * Keys whose values must never reach the browser, whatever object they sit in (configs may
 * carry credentials pasted by a user). Names of environment variables (`apiKeyEnv`) are kept:
 * they say where a secret lives, not what it is.
 */
const SECRET_KEY = /(secret|password|passwd|token|credential|private[-_]?key|access[-_]?key|^api[-_]?key$|authorization|cookie)/i;
const SAFE_KEY = /(env|path|count|tokens?per|^max|^min)/i;

export const REDACTED = '[redacted]';

/** True when a property name looks like it holds a credential. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !SAFE_KEY.test(key);
}

/** Deep copy of a JSON-like value with secret-looking properties replaced by `[redacted]`. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    copy[key] = isSecretKey(key) && inner !== null && typeof inner !== 'object' ? REDACTED : redactSecrets(inner);
  }
  return copy;
}
