import type { Command } from 'commander';
import { Option } from 'commander';
import { loadEnv } from '../lib/env.ts';
import { readQaFile, readQaSource, type QaSourceReaders } from '../lib/qa/datasets.ts';
import { parseQaJsonl } from '../lib/qa/jsonl.ts';
import { NORMALIZE_MODES, type NormalizeMode } from '../lib/qa/normalize.ts';
import { parsePredictionsJsonl } from '../lib/qa/predictions.ts';
import { createNodeReaders } from '../lib/qa/readers.ts';
import { scorePredictions } from '../lib/qa/score-set.ts';
import { generateWorldToDir } from '../lib/world/write-world.ts';

/** Local files always; S3 only when a path asks for it, so plain use needs no stack. */
async function readersFor(paths: string[]): Promise<QaSourceReaders> {
  if (!paths.some((path) => path.startsWith('s3://'))) return createNodeReaders();
  const { S3Client } = await import('@aws-sdk/client-s3');
  const env = loadEnv();
  const client = new S3Client({
    endpoint: env.S3_ENDPOINT,
    region: env.S3_REGION,
    forcePathStyle: env.S3_FORCE_PATH_STYLE,
    credentials: { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY },
  });
  return createNodeReaders(client);
}

const printJson = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value)}\n`);
};

function registerValidate(program: Command): void {
  const data = program.commands.find((c) => c.name() === 'data') ?? program.command('data');
  data.description('QA datasets (FlashRAG jsonl)');
  data
    .command('validate')
    .description('check a QA jsonl file (local path or s3:// URI); exit code 1 when it has errors')
    .argument('<file>', 'QA jsonl: {"id","question","golden_answers","metadata"} per line')
    .action(async (file: string) => {
      const parsed = parseQaJsonl(await readQaSource(file, await readersFor([file])));
      printJson({ rows: parsed.rows, errors: parsed.errors });
      if (parsed.errors.length > 0) process.exitCode = 1;
    });
}

function registerScore(program: Command): void {
  program
    .command('score')
    .description('EM, F1 and SubEM of predictions against a QA file')
    .requiredOption('--data <qa>', 'QA jsonl (local path or s3:// URI)')
    .requiredOption('--pred <predictions>', 'predictions jsonl: {"id","prediction"} per line')
    .addOption(
      new Option(
        '--normalize <mode>',
        'answer normalization: squad (FlashRAG/Search-R1) or rag-r1 (RAG-R1 eval script)',
      )
        .choices([...NORMALIZE_MODES])
        .default('squad'),
    )
    .option('--per-item', 'also print every question scored', false)
    .action(
      async (options: {
        data: string;
        pred: string;
        normalize: NormalizeMode;
        perItem: boolean;
      }) => {
        const readers = await readersFor([options.data, options.pred]);
        const items = await readQaFile(options.data, readers);
        const predictions = parsePredictionsJsonl(
          await readQaSource(options.pred, readers),
          options.pred,
        );
        const { items: perItem, ...summary } = scorePredictions(
          items,
          predictions,
          options.normalize,
        );
        printJson(options.perItem ? { ...summary, items: perItem } : summary);
      },
    );
}

function registerWorld(program: Command): void {
  const world = program
    .command('world')
    .description('the tiny world: a generated corpus and QA sets');
  world
    .command('generate')
    .description(
      'write a tiny world: corpus.jsonl, qa/<dataset>.jsonl, train.jsonl, world.json, manifest.json',
    )
    .requiredOption('--out <dir>', 'output folder')
    .option('--seed <n>', 'generator seed', (v) => Number.parseInt(v, 10), 1)
    .option('--passages <n>', 'target corpus size in passages', (v) => Number.parseInt(v, 10), 1500)
    .option('--test-size <n>', 'questions per benchmark-shaped test set', (v) =>
      Number.parseInt(v, 10),
    )
    .option('--train-size <n>', 'questions in the training pool', (v) => Number.parseInt(v, 10))
    .action(
      async (options: {
        out: string;
        seed: number;
        passages: number;
        testSize?: number;
        trainSize?: number;
      }) => {
        const manifest = await generateWorldToDir({
          seed: options.seed,
          passages: options.passages,
          ...(options.testSize ? { testSize: options.testSize } : {}),
          ...(options.trainSize ? { trainSize: options.trainSize } : {}),
          outDir: options.out,
        });
        printJson(manifest);
      },
    );
}

/** Adds `data validate`, `score` and `world generate` to the `rag-r1` program. */
export function registerDataCommands(program: Command): void {
  registerValidate(program);
  registerScore(program);
  registerWorld(program);
}
