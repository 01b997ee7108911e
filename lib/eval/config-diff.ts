/** One config field that differs between two runs; absent values are `undefined`. */
export interface ConfigDifference {
  path: string;
  left: unknown;
  right: unknown;
}

function flattenInto(value: unknown, prefix: string, into: Map<string, unknown>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) into.set(prefix, {});
    for (const [key, inner] of entries) flattenInto(inner, prefix ? `${prefix}.${key}` : key, into);
    return;
  }
  into.set(prefix, value);
}

/** A config as dotted paths to leaves; arrays are leaves (compared whole). */
export function flattenConfig(config: unknown): Map<string, unknown> {
  const into = new Map<string, unknown>();
  flattenInto(config, '', into);
  return into;
}

function same(left: unknown, right: unknown): boolean {
  return JSON.stringify(left) === JSON.stringify(right);
}

/** The fields of two (canonical) configs that differ, sorted by path. */
export function diffConfigs(left: unknown, right: unknown): ConfigDifference[] {
  const a = flattenConfig(left);
  const b = flattenConfig(right);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths
    .filter((path) => !same(a.get(path), b.get(path)))
    .map((path) => ({ path, left: a.get(path), right: b.get(path) }));
}
