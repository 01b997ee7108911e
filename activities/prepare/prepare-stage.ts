import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../../lib/errors.ts';
import { readQaFile, sampleItems } from '../../lib/qa/datasets.ts';
import { createNodeReaders } from '../../lib/qa/readers.ts';
import { toQaJsonl } from '../../lib/qa/jsonl.ts';
import { DATASET_NAMES, type DatasetName, type QaItem } from '../../lib/qa/types.ts';
import type { PrepareSlice } from '../../lib/rag-r1/recipe.ts';
import { generateWorldToDir } from '../../lib/world/write-world.ts';
import { buildBm25Index } from '../../retriever/bm25-builder.ts';
import { readCorpus } from '../../retriever/corpus-reader.ts';
import type { StageContext, StageResult } from '../framework/types.ts';

interface PreparedFiles {
  corpus: string;
  world?: string;
  train: QaItem[];
  eval: Partial<Record<DatasetName, QaItem[]>>;
}

async function prepareTinyWorld(ctx: StageContext<PrepareSlice>): Promise<PreparedFiles> {
  const { data } = ctx.config;
  const outDir = join(ctx.workDir, 'world');
  await generateWorldToDir({
    seed: data.world.seed,
    passages: data.world.passages,
    testSize: data.evalPerDataset,
    trainSize: data.trainQuestions,
    outDir,
  });
  const readers = createNodeReaders();
  const evalSets: PreparedFiles['eval'] = {};
  for (const name of DATASET_NAMES) {
    evalSets[name] = await readQaFile(join(outDir, 'qa', `${name}.jsonl`), readers);
  }
  return {
    corpus: join(outDir, 'corpus.jsonl'),
    world: join(outDir, 'world.json'),
    train: await readQaFile(join(outDir, 'train.jsonl'), readers),
    eval: evalSets,
  };
}

async function prepareFiles(ctx: StageContext<PrepareSlice>): Promise<PreparedFiles> {
  const { data } = ctx.config;
  if (!data.corpus || !data.train || !data.eval) {
    throw new ConfigError(
      'data.corpus, data.train and data.eval are required when data.source is "files"',
    );
  }
  const readers = createNodeReaders();
  const train = sampleItems(await readQaFile(data.train, readers), data.trainQuestions, data.seed);
  const evalSets: PreparedFiles['eval'] = {};
  for (const [name, uri] of Object.entries(data.eval) as Array<[DatasetName, string]>) {
    evalSets[name] = sampleItems(await readQaFile(uri, readers), data.evalPerDataset, data.seed);
  }
  return { corpus: data.corpus, train, eval: evalSets };
}

/**
 * The prepare stage: the tiny world (or the user's corpus and QA files), a BM25 index over the
 * corpus, and the train and evaluation question sets, each published as an artifact.
 */
export async function prepareStage(ctx: StageContext<PrepareSlice>): Promise<StageResult> {
  const started = performance.now();
  const { retrieval, data } = ctx.config;
  if (retrieval.method !== 'bm25' && !retrieval.url) {
    throw new ConfigError(
      `retrieval.method "${retrieval.method}": the recipe builds BM25 indexes itself; for dense or hybrid search run \`rag-r1 retriever\` with a dense index and set retrieval.url`,
    );
  }
  ctx.heartbeat({ step: 0, total: 3, message: 'data' });
  const files =
    data.source === 'tiny-world' ? await prepareTinyWorld(ctx) : await prepareFiles(ctx);
  ctx.heartbeat({ step: 1, total: 3, message: 'index' });
  const indexPath = join(ctx.workDir, 'corpus.bm25');
  const index = await buildBm25Index({
    passages: readCorpus(files.corpus),
    out: indexPath,
    params: { k1: retrieval.k1, b: retrieval.b },
  });
  ctx.heartbeat({ step: 2, total: 3, message: 'publish' });
  await ctx.publish('corpus', files.corpus, 'corpus', 'application/x-ndjson');
  await ctx.publish('index', indexPath, 'bm25-index', 'application/octet-stream');
  if (files.world) await ctx.publish('world', files.world, 'tiny-world-graph', 'application/json');
  const trainPath = join(ctx.workDir, 'train.jsonl');
  await writeFile(trainPath, toQaJsonl(files.train));
  await ctx.publish('train', trainPath, 'qa', 'application/x-ndjson');
  const evalSizes: Record<string, number> = {};
  for (const [name, items] of Object.entries(files.eval)) {
    const path = join(ctx.workDir, `eval-${name}.jsonl`);
    await writeFile(path, toQaJsonl(items));
    await ctx.publish(`qa:${name}`, path, 'qa', 'application/x-ndjson');
    evalSizes[name] = items.length;
  }
  return {
    summary: {
      passages: index.numDocs,
      terms: index.numTerms,
      train: files.train.length,
      eval: evalSizes,
      indexSeconds: index.seconds,
      seconds: (performance.now() - started) / 1000,
    },
  };
}
