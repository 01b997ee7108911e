import { createHash } from 'node:crypto';

/**
 * Canonical JSON: object keys sorted by code point, no whitespace, `undefined` members dropped.
 * Two configs that mean the same thing serialize to the same bytes, so their hashes agree.
 * Non-finite numbers, functions, symbols and bigints have no JSON meaning and are rejected with
 * the path where they occur.
 */
export function canonicalJson(value: unknown): string {
  return serialize(value, '$');
}

function serialize(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${path} is ${value}`);
      return JSON.stringify(value);
    case 'object':
      return serializeObject(value, path);
    default:
      throw new TypeError(`canonicalJson: ${path} has unsupported type ${typeof value}`);
  }
}

function serializeObject(value: object, path: string): string {
  if (Array.isArray(value)) {
    return `[${value.map((item, index) => serialize(item === undefined ? null : item, `${path}[${index}]`)).join(',')}]`;
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  const entries = Object.entries(value)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const members = entries.map(
    ([key, member]) => `${JSON.stringify(key)}:${serialize(member, `${path}.${key}`)}`,
  );
  return `{${members.join(',')}}`;
}

/** Lower-case hex SHA-256 of a string (UTF-8) or bytes. Node only: never import from workflows. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SHA-256 of the canonical JSON of a value: the identity of a config or cache-key tuple. */
export function hashJson(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
