/**
 * Prints the node_modules packages the device benches load (one per line): what esbuild finds
 * bundling their entries, plus tsx (which runs them) and its own dependencies. The device host
 * has no registry, and the whole node_modules (1.1 GB) is far over what a device call carries.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const ENTRIES = [
  'bench/rollout/run.ts',
  'bench/rollout/drive-child.ts',
  'bench/rollout/fake-server.ts',
  'bench/retrieval/run.ts',
  'bench/retrieval/ts-task.ts',
  'bench/retrieval/dense-task.ts',
  'retriever/bm25-worker.ts',
];

const { metafile } = await build({
  entryPoints: ENTRIES,
  bundle: true,
  platform: 'node',
  format: 'esm',
  metafile: true,
  write: false,
  outdir: 'unused',
  // Native addons (onnxruntime-node's binding) are loaded at run time, not bundled.
  loader: { '.node': 'empty' },
  logLevel: 'error',
});
const packages = new Set<string>();
for (const input of Object.keys(metafile.inputs)) {
  const name = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
  if (name) packages.add(name);
}

/** A package and, through its package.json, every dependency installed at the top level. */
function addWithDependencies(name: string): void {
  const manifest = join('node_modules', name, 'package.json');
  if (packages.has(name) || !existsSync(manifest)) return;
  packages.add(name);
  const json = JSON.parse(readFileSync(manifest, 'utf8')) as {
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
  };
  for (const dependency of Object.keys({ ...json.dependencies, ...json.optionalDependencies })) {
    addWithDependencies(dependency);
  }
}
addWithDependencies('tsx');
process.stdout.write(`${[...packages].sort().join('\n')}\n`);
