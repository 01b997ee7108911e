import { access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { readJsonlAll, writeJsonl } from '../../lib/jsonl.ts';
import { loadEnv } from '../../lib/env.ts';
import type { SftTrainSlice } from '../../lib/rag-r1/recipe.ts';
import type { Passage } from '../../lib/retrieval/types.ts';
import { generateReadingRows } from '../../lib/world/reading.ts';
import { readWorldGraph } from '../../lib/world/write-world.ts';
import {
  buildSftTrainerConfig,
  type SftTrainerConfig,
  type SftTrainerFiles,
} from '../../lib/rag-r1/trainer-config.ts';
import type { StageContext, StageResult } from '../framework/types.ts';
import { requireArtifact } from '../rollouts/resources.ts';
import { resolveHfModelPath } from '../trainer/hf-models.ts';
import { runTrainerStage, trainerPython } from '../trainer/run-trainer-stage.ts';
import {
  cpuThreads,
  hasRows,
  publishTrainedModel,
  runTrainerCommand,
} from '../trainer/trainer-artifacts.ts';

const CorpusRowSchema = z.object({ id: z.string(), contents: z.string() });

const SftDoneSchema = z
  .object({
    step: z.number(),
    checkpoint: z.string(),
    best: z
      .object({ eval_loss: z.number().nullable(), path: z.string().nullable() })
      .partial()
      .optional(),
  })
  .passthrough();

/** The trainer's `sft` config for this stage's files, on this machine's CPU threads. */
export function sftTrainerConfig(
  config: SftTrainSlice,
  files: Omit<SftTrainerFiles, 'threads'>,
): SftTrainerConfig {
  return buildSftTrainerConfig(config, { ...files, threads: cpuThreads() });
}

/**
 * Format-learning SFT (spec section 3), loss on the step outputs only, the lowest-validation-
 * loss checkpoint kept and published. The tiny model first gets a tokenizer over the corpus and
 * samples and a short pretraining; an HF model (`sft.model.kind: hf`) starts from its weights.
 */
export async function sftTrainStage(ctx: StageContext<SftTrainSlice>): Promise<StageResult> {
  const config = ctx.config;
  const trainFile = await ctx.download(
    requireArtifact(ctx, 'sft-split', 'train'),
    'sft-train.jsonl',
  );
  const valFile = await ctx.download(requireArtifact(ctx, 'sft-split', 'val'), 'sft-val.jsonl');
  const corpus = await ctx.download(requireArtifact(ctx, 'prepare', 'corpus'), 'corpus.jsonl');
  const outputDir = join(ctx.workDir, 'sft');
  const evalFile = (await hasRows(valFile)) ? { evalFile: valFile } : {};
  const result = await runTrainerStage(ctx, {
    python: trainerPython(loadEnv().RAG_R1_PYTHON),
    subcommand: 'sft',
    config: async (resumeDir) => {
      // An HF model brings its tokenizer and its pretraining.
      if (config.model.kind === 'hf') {
        const path = await resolveHfModelPath(ctx, config.model.path ?? '');
        const model = { ...config.model, path };
        return sftTrainerConfig({ ...config, model }, { trainFile, ...evalFile, outputDir });
      }
      // A resumed run keeps its checkpoint's tokenizer: the weights are tied to its vocabulary.
      if (resumeDir) {
        const tokenizer = join(resumeDir, 'tokenizer.json');
        return sftTrainerConfig(config, { trainFile, ...evalFile, tokenizer, outputDir });
      }
      const tokenizer = await buildTokenizer(ctx, [corpus, trainFile]);
      const base = await pretrainOnCorpus(ctx, corpus, tokenizer);
      return {
        ...sftTrainerConfig(config, { trainFile, ...evalFile, tokenizer, outputDir }),
        ...(base ? { init_checkpoint: base } : {}),
      };
    },
  });
  const done = SftDoneSchema.parse(result.done);
  // After a resume on another worker the best checkpoint may live in the old work dir.
  const best = done.best?.path;
  const chosen = best && (await pathExists(best)) ? best : done.checkpoint;
  await publishTrainedModel(ctx, {
    checkpointDir: chosen,
    history: result.history,
    verifyPrompts: [],
  });
  const losses = result.history
    .map((h) => h.metrics['loss'])
    .filter((v): v is number => v !== undefined);
  return {
    summary: {
      steps: done.step,
      chosenCheckpoint: chosen.split('/').pop(),
      bestEvalLoss: done.best?.eval_loss ?? null,
      firstLoss: losses[0] ?? null,
      lastLoss: losses.at(-1) ?? null,
      resumedFromStep: result.resumedFromStep ?? null,
    },
  };
}

async function pathExists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Language modelling on the corpus passages before SFT, for the from-scratch tiny model: the
 * paper starts SFT from a pretrained LLM, which can already copy a name it has just read; a
 * model that has never seen text cannot, and SFT's few answer tokens were too little to teach
 * it. Reading rows (`readingRows`) go in with the passages to teach exactly that copy. Returns
 * the checkpoint SFT starts from, or nothing when `pretrainEpochs` is 0.
 */
async function pretrainOnCorpus(
  ctx: StageContext<SftTrainSlice>,
  corpus: string,
  tokenizer: string,
): Promise<string | undefined> {
  const epochs = ctx.config.pretrainEpochs;
  if (epochs === 0) return undefined;
  const trainFile = join(ctx.workDir, 'pretrain.jsonl');
  const passages = await readJsonlAll(corpus, CorpusRowSchema);
  await writeJsonl(trainFile, [
    ...passages.map((row) => ({ id: `corpus-${row.id}`, text: row.contents })),
    ...(await readingRows(ctx, passages)),
  ]);
  const outputDir = join(ctx.workDir, 'pretrain');
  const result = await runTrainerCommand(ctx, 'sft', {
    ...sftTrainerConfig(ctx.config, { trainFile, tokenizer, outputDir }),
    epochs,
    checkpoint_every: 1_000_000,
    keep_last: 1,
  });
  return SftDoneSchema.parse(result.done).checkpoint;
}

/**
 * Reading rows in the trainer's loss-masked form: the question as the user turn, then the
 * `<information>` block (no loss) and the statement (loss), so each row trains only the copy;
 * the passage rows already do the language modelling. None without the tiny world's graph
 * (data.source "files").
 */
async function readingRows(
  ctx: StageContext<SftTrainSlice>,
  corpus: Passage[],
): Promise<ReadingSample[]> {
  const worldRef = ctx.inputs['prepare']?.artifacts['world'];
  if (ctx.config.readingRows === 0 || !worldRef) return [];
  const graph = await readWorldGraph(dirname(await ctx.download(worldRef, 'world.json')));
  const rows = generateReadingRows({
    graph,
    corpus,
    rows: ctx.config.readingRows,
    seed: graph.seed,
  });
  return rows.map((row) => ({
    id: row.id,
    messages: [{ role: 'user', content: row.question }],
    segments: [
      { text: row.context, loss: false },
      { text: row.statement, loss: true },
    ],
  }));
}

interface ReadingSample {
  id: string;
  messages: { role: 'user'; content: string }[];
  segments: { text: string; loss: boolean }[];
}

async function buildTokenizer(ctx: StageContext<SftTrainSlice>, inputs: string[]): Promise<string> {
  const output = join(ctx.workDir, 'tokenizer.json');
  await runTrainerCommand(ctx, 'build-tokenizer', { inputs, output });
  return output;
}
