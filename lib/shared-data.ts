import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * A file of the team's shared real-data samples (QA sets, Wikipedia passages), which sit beside
 * the checkout as `shared/data` (CI clones it there too). Tests and benchmarks use it.
 */
export function sharedDataPath(relative: string): string {
  const candidates = [join(REPO_ROOT, '..', 'shared', 'data'), '/work/shared/data'];
  const root = candidates.find((dir) => existsSync(dir)) ?? candidates[0]!;
  return join(root, relative);
}
