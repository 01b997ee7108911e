import { join } from 'node:path';
import { z } from 'zod';
import { buildPrompt } from '../../lib/agent/prompts.ts';
import { DataError } from '../../lib/errors.ts';
import { loadEnv } from '../../lib/env.ts';
import { readJsonlAll, writeJsonl } from '../../lib/jsonl.ts';
import type { PpoTrainSlice } from '../../lib/rag-r1/recipe.ts';
import { RlQuestionSchema } from '../../lib/rag-r1/records.ts';
import { buildPpoTrainerConfig } from '../../lib/rag-r1/trainer-config.ts';
import type { StageContext, StageResult } from '../framework/types.ts';
import { openRetriever, requireArtifact } from '../rollouts/resources.ts';
import { unpackArchive } from '../trainer/archive.ts';
import { runTrainerStage, trainerPython } from '../trainer/run-trainer-stage.ts';
import { cpuThreads, publishTrainedModel } from '../trainer/trainer-artifacts.ts';
import { startRetrievalEndpoint } from './retrieval-endpoint.ts';

const PpoDoneSchema = z.object({ step: z.number(), checkpoint: z.string() }).passthrough();

/** RL questions in the trainer's row shape: the full user prompt plus the gold answers. */
async function writePpoQuestions(
  ctx: StageContext<PpoTrainSlice>,
): Promise<{ path: string; count: number }> {
  const source = await ctx.download(requireArtifact(ctx, 'filter', 'train'), 'rl-train.jsonl');
  const questions = await readJsonlAll(source, RlQuestionSchema);
  if (questions.length < ctx.config.ppo.batchSize) {
    throw new DataError(
      `ppo-train: the filter kept ${questions.length} questions, fewer than ppo.batchSize ${ctx.config.ppo.batchSize}; lower the batch size or keep more questions`,
    );
  }
  const path = join(ctx.workDir, 'ppo-train.jsonl');
  const mode = ctx.config.agent.mode;
  await writeJsonl(
    path,
    questions.map((q) => ({
      id: q.id,
      prompt: buildPrompt({ question: q.question, mode, normalizeQuestion: true }),
      golden_answers: q.golden_answers,
    })),
  );
  return { path, count: questions.length };
}

/**
 * PPO (spec section 5): the trainer rolls the SFT policy out against a `/retrieve` endpoint
 * served here over the prepared index, with the EM reward, the KL penalty to the SFT
 * reference and retrieved tokens masked; checkpoints go to S3 and a retry resumes from them.
 */
export async function ppoTrainStage(ctx: StageContext<PpoTrainSlice>): Promise<StageResult> {
  const { retrieval } = ctx.config;
  const sftArchive = await ctx.download(
    requireArtifact(ctx, 'sft-train', 'checkpoint'),
    'sft-checkpoint.tar.gz',
  );
  const policyCheckpoint = join(ctx.workDir, 'sft-checkpoint');
  await unpackArchive(sftArchive, policyCheckpoint);
  const questions = await writePpoQuestions(ctx);
  const retriever = await openRetriever(ctx, retrieval);
  const endpoint = retrieval.url ? undefined : await startRetrievalEndpoint(retriever);
  try {
    const result = await runTrainerStage(ctx, {
      python: trainerPython(loadEnv().RAG_R1_PYTHON),
      subcommand: 'ppo',
      config: buildPpoTrainerConfig(ctx.config, {
        trainFile: questions.path,
        policyCheckpoint,
        retrieverUrl: retrieval.url ?? endpoint!.url,
        outputDir: join(ctx.workDir, 'ppo'),
        threads: cpuThreads(),
      }),
    });
    const done = PpoDoneSchema.parse(result.done);
    await publishTrainedModel(ctx, {
      checkpointDir: done.checkpoint,
      history: result.history,
      verifyPrompts: [],
    });
    const rewards = result.history
      .map((h) => h.metrics['reward'])
      .filter((v): v is number => v !== undefined);
    return {
      summary: {
        steps: done.step,
        questions: questions.count,
        firstReward: rewards[0] ?? null,
        lastReward: rewards.at(-1) ?? null,
        resumedFromStep: result.resumedFromStep ?? null,
      },
    };
  } finally {
    await endpoint?.close();
    await retriever.close?.();
  }
}
