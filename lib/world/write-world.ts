import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { DataError } from '../errors.ts';
import { toQaJsonl } from '../qa/jsonl.ts';
import { DATASET_NAMES } from '../qa/types.ts';
import { generateWorld, type WorldOptions } from './generate.ts';
import type { WorldGraph } from './schema.ts';

/** What `manifest.json` holds: how the world was made and a sha256 of every file. */
export interface WorldManifest {
  kind: 'rag-r1-tiny-world';
  version: 1;
  seed: number;
  passages: number;
  entities: number;
  facts: number;
  qa: Record<string, number>;
  train: number;
  files: Record<string, { bytes: number; sha256: string }>;
}

/** Bumped whenever generation changes, so cached worlds are not mistaken for new ones. */
export const WORLD_GENERATOR_VERSION = 1;

async function writeLines(
  path: string,
  lines: Iterable<string>,
): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  const stream = createWriteStream(path);
  let bytes = 0;
  let chunk = '';
  const flush = async (): Promise<void> => {
    hash.update(chunk);
    bytes += Buffer.byteLength(chunk);
    if (!stream.write(chunk)) await once(stream, 'drain');
    chunk = '';
  };
  for (const line of lines) {
    chunk += `${line}\n`;
    if (chunk.length > 1 << 20) await flush();
  }
  await flush();
  stream.end();
  await once(stream, 'finish');
  return { bytes, sha256: hash.digest('hex') };
}

function* worldJsonLines(graph: WorldGraph): Generator<string> {
  // Written piecewise: at a million passages one JSON.stringify of the graph would not fit a string.
  yield `{"seed":${graph.seed},"entities":[`;
  for (let i = 0; i < graph.entities.length; i += 1)
    yield (i ? ',' : '') + JSON.stringify(graph.entities[i]);
  yield '],"facts":[';
  for (let i = 0; i < graph.facts.length; i += 1)
    yield (i ? ',' : '') + JSON.stringify(graph.facts[i]);
  yield '],"support":[';
  for (let i = 0; i < graph.support.length; i += 1)
    yield (i ? ',' : '') + JSON.stringify(graph.support[i]);
  yield `],"questions":${JSON.stringify(graph.questions)}}`;
}

/**
 * Generates a world and writes corpus.jsonl, qa/<dataset>.jsonl, train.jsonl, world.json and
 * manifest.json under `outDir`; returns the manifest.
 */
export async function generateWorldToDir(
  options: WorldOptions & { outDir: string },
): Promise<WorldManifest> {
  const { outDir, ...worldOptions } = options;
  const world = generateWorld(worldOptions);
  await mkdir(join(outDir, 'qa'), { recursive: true });
  const files: WorldManifest['files'] = {};
  files['corpus.jsonl'] = await writeLines(
    join(outDir, 'corpus.jsonl'),
    (function* () {
      for (const passage of world.corpus) yield JSON.stringify(passage);
    })(),
  );
  for (const name of DATASET_NAMES) {
    files[`qa/${name}.jsonl`] = await writeLines(
      join(outDir, 'qa', `${name}.jsonl`),
      world.qa[name].map((i) => JSON.stringify(i)),
    );
  }
  files['train.jsonl'] = await writeLines(
    join(outDir, 'train.jsonl'),
    toQaJsonl(world.train).trimEnd().split('\n'),
  );
  files['world.json'] = await writeLines(join(outDir, 'world.json'), worldJsonLines(world.graph));
  const manifest: WorldManifest = {
    kind: 'rag-r1-tiny-world',
    version: WORLD_GENERATOR_VERSION,
    seed: world.options.seed,
    passages: world.corpus.length,
    entities: world.graph.entities.length,
    facts: world.graph.facts.length,
    qa: Object.fromEntries(DATASET_NAMES.map((name) => [name, world.qa[name].length])),
    train: world.train.length,
    files,
  };
  await writeFile(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Reads `world.json` back (the graph the simulated teacher plans with). */
export async function readWorldGraph(dir: string): Promise<WorldGraph> {
  const path = join(dir, 'world.json');
  try {
    return JSON.parse(await readFile(path, 'utf8')) as WorldGraph;
  } catch (error) {
    throw new DataError(`${path}: cannot read the world graph: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
