import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Runs every benchmark: each `bench/<name>/run.ts`, one after another in its own process (so
 * one's workers and connections cannot skew the next). `npm run bench -- NAME...` runs some.
 */
const root = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2);
const names = readdirSync(root, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, 'run.ts')))
  .map((entry) => entry.name)
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .sort();
let failed = 0;
for (const name of names) {
  console.log(`\n== bench/${name} ==`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, name, 'run.ts')], {
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    failed += 1;
    console.error(`bench/${name} failed with exit code ${result.status}`);
  }
}
if (names.length === 0)
  console.error(`no bench/*/run.ts found${wanted.length ? ` for ${wanted.join(', ')}` : ''}`);
process.exitCode = failed > 0 || names.length === 0 ? 1 : 0;
