import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { trainerConfigFiles } from '../lib/rag-r1/trainer-config-files.ts';

/**
 * `npx tsx infra/write-trainer-schemas.ts`: rewrites trainer/schemas/ from
 * lib/rag-r1/trainer-config.ts; lib/rag-r1/trainer-config-files.test.ts fails until it is run.
 */
async function main(): Promise<void> {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  for (const [path, content] of Object.entries(trainerConfigFiles())) {
    const target = join(root, path);
    // Formatted as `npm run format` would, so the two never fight over the committed files.
    const options = { ...(await resolveConfig(target)), filepath: target };
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, await format(JSON.stringify(content), options));
    console.log(`wrote ${path}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exitCode = 1;
  });
}
