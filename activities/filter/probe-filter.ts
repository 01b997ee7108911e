import { join } from 'node:path';
import { z } from 'zod';
import { rolloutTrainerFields } from '../../lib/rag-r1/trainer-config.ts';
import { buildPrompt } from '../../lib/agent/prompts.ts';
import { ConfigError, DataError } from '../../lib/errors.ts';
import { loadEnv } from '../../lib/env.ts';
import { readJsonlAll, writeJsonl } from '../../lib/jsonl.ts';
import { KEPT_REASONS } from '../../lib/rag-r1/filter-rule.ts';
import { curateByPassRate, selectProbeQuestions } from '../../lib/rag-r1/probe-rule.ts';
import type { FilterSlice } from '../../lib/rag-r1/recipe.ts';
import type { CurationRow, TeacherRecord } from '../../lib/rag-r1/records.ts';
import type { StageContext, StageResult } from '../framework/types.ts';
import { startRetrievalEndpoint } from '../ppo-train/retrieval-endpoint.ts';
import { openRetriever, requireArtifact } from '../rollouts/resources.ts';
import { downloadTeacherRecords } from '../sft-split/sft-split-stage.ts';
import { unpackArchive } from '../trainer/archive.ts';
import { runTrainerStage, trainerPython } from '../trainer/run-trainer-stage.ts';
import { cpuThreads } from '../trainer/trainer-artifacts.ts';
import { publishCuration, rlQuestionOf } from './publish-curation.ts';

/**
 * Rollouts generated together. On CPU a batch pads every episode to its longest and waits for
 * its slowest: 256 rollouts of a tiny-world SFT policy on one thread took 47 s in batches of 8
 * or 16, 52 s in 32 and 70 s in 64 (2 shared cores). A GPU wants larger batches.
 */
function probeBatchSize(device: 'cpu' | 'cuda'): number {
  return device === 'cuda' ? 64 : 16;
}

/** One rollout of the trainer's `probe` output; its reward is EM (format_reward 0). */
const ProbeRolloutSchema = z
  .object({ id: z.string(), reward: z.number(), retrievals: z.number().int() })
  .loose();

interface ProbeResult {
  /** Correct (reward 1) or not, per rollout, in the order the trainer wrote them. */
  outcomes: boolean[];
  retrievals: number;
}

/**
 * The probe filter: the SFT policy answers a seeded sample of the training questions
 * `filter.rollouts` times each, through the trainer's `probe` command against a `/retrieve`
 * endpoint served here, sampled as PPO samples (filter.temperature aside); the pass rates
 * decide (lib/rag-r1/probe-rule.ts). A retried attempt runs the probe again from the start:
 * it is one pass of generation, minutes at the tiny world's sizes.
 */
export async function probeFilterStage(ctx: StageContext<FilterSlice>): Promise<StageResult> {
  const { filter, retrieval, seed } = ctx.config;
  const records = await downloadTeacherRecords(ctx, ctx.inputs['teacher-sample']);
  const byId = new Map(records.map((record) => [record.trajectory.questionId, record]));
  const probed = selectProbeQuestions([...byId.keys()], filter.probeQuestions, seed);
  const checkpoint = await unpackSftCheckpoint(ctx);
  const dataFile = join(ctx.workDir, 'probe-questions.jsonl');
  await writeProbeQuestions(
    ctx,
    dataFile,
    probed.map((id) => byId.get(id)!),
  );
  const retriever = await openRetriever(ctx, retrieval);
  const endpoint = retrieval.url ? undefined : await startRetrievalEndpoint(retriever);
  const outputFile = join(ctx.workDir, 'probe-rollouts.jsonl');
  const started = performance.now();
  try {
    await runTrainerStage(ctx, {
      python: trainerPython(loadEnv().RAG_R1_PYTHON),
      subcommand: 'probe',
      config: probeTrainerConfig(ctx.config, {
        checkpoint,
        dataFile,
        outputFile,
        retrieverUrl: retrieval.url ?? endpoint!.url,
      }),
      resumable: false,
    });
  } finally {
    await endpoint?.close();
    await retriever.close?.();
  }
  const probeSeconds = (performance.now() - started) / 1000;
  const results = await readProbeResults(outputFile, probed, filter.rollouts);
  return curateProbed(ctx, { records, byId, results, probeSeconds });
}

async function unpackSftCheckpoint(ctx: StageContext<FilterSlice>): Promise<string> {
  const archive = await ctx.download(
    requireArtifact(ctx, 'sft-train', 'checkpoint'),
    'sft-checkpoint.tar.gz',
  );
  const directory = join(ctx.workDir, 'sft-checkpoint');
  await unpackArchive(archive, directory);
  return directory;
}

/** Questions in the trainer's row shape, prompted exactly as ppo-train prompts them. */
async function writeProbeQuestions(
  ctx: StageContext<FilterSlice>,
  path: string,
  records: TeacherRecord[],
): Promise<void> {
  const mode = ctx.config.agent.mode;
  await writeJsonl(
    path,
    records.map((record) => ({
      id: record.trajectory.questionId,
      prompt: buildPrompt({ question: record.trajectory.question, mode, normalizeQuestion: true }),
      golden_answers: record.goldenAnswers,
    })),
  );
}

/** The trainer's `probe` config: the rollout settings as ppo-train sends them. */
export function probeTrainerConfig(
  slice: FilterSlice,
  files: { checkpoint: string; dataFile: string; outputFile: string; retrieverUrl: string },
): Record<string, unknown> {
  const { agent, filter, retrieval, policy, seed } = slice;
  if (!policy) throw new ConfigError('filter: probe mode without the policy settings in its slice');
  return {
    checkpoint: files.checkpoint,
    data_file: files.dataFile,
    output_file: files.outputFile,
    ...rolloutTrainerFields(
      { agent, retrieval },
      {
        retrieverUrl: files.retrieverUrl,
        maxStartTokens: policy.maxStartTokens,
        temperature: filter.temperature,
        topP: policy.topP,
        // The pass rate counts right answers: a wrong answer must score 0, not a format reward.
        formatReward: 0,
        stateMasking: true,
      },
    ),
    repeats: filter.rollouts,
    batch_size: probeBatchSize(policy.device),
    seed,
    device: policy.device,
    threads: cpuThreads(),
  };
}

/** Groups the trainer's rollouts by question; every probed question must have all of its own. */
async function readProbeResults(
  path: string,
  probed: string[],
  rollouts: number,
): Promise<Map<string, ProbeResult>> {
  const results = new Map<string, ProbeResult>(
    probed.map((id) => [id, { outcomes: [], retrievals: 0 }]),
  );
  for (const row of await readJsonlAll(path, ProbeRolloutSchema)) {
    const result = results.get(row.id);
    if (!result) throw new DataError(`filter: the probe answered unknown question ${row.id}`);
    result.outcomes.push(row.reward >= 1);
    result.retrievals += row.retrievals;
  }
  for (const [id, result] of results) {
    if (result.outcomes.length !== rollouts) {
      throw new DataError(
        `filter: the probe wrote ${result.outcomes.length} rollouts of question ${id}, not ${rollouts}`,
      );
    }
  }
  return results;
}

async function curateProbed(
  ctx: StageContext<FilterSlice>,
  data: {
    records: TeacherRecord[];
    byId: Map<string, TeacherRecord>;
    results: Map<string, ProbeResult>;
    probeSeconds: number;
  },
): Promise<StageResult> {
  const { filter, seed } = ctx.config;
  const passRates = new Map(
    [...data.results].map(([id, result]) => [id, passRate(result.outcomes)]),
  );
  const curation = curateByPassRate(passRates, [...data.byId.keys()], {
    correctShare: filter.correctShare,
    valShare: filter.valShare,
    seed,
  });
  if (curation.train.length === 0) {
    throw new DataError(
      `filter: the SFT policy solved none of the ${passRates.size} probed questions in some but not all of its ${filter.rollouts} rollouts (and correctShare kept none it always solved); probe more questions or train SFT longer`,
    );
  }
  const rows: CurationRow[] = [...curation.decisions].map(([id, reason]) => {
    const outcomes = data.results.get(id)?.outcomes ?? [];
    const solvedAt = outcomes.indexOf(true);
    const rate = passRates.get(id);
    return {
      id,
      dataset: data.byId.get(id)!.dataset,
      reason,
      kept: KEPT_REASONS.has(reason),
      rollouts: outcomes.length,
      solvedAt: solvedAt < 0 ? null : solvedAt,
      ...(rate === undefined ? {} : { passRate: rate }),
    };
  });
  const toQuestion = (id: string) => rlQuestionOf(data.byId.get(id)!);
  const counts = await publishCuration(ctx, {
    train: curation.train.map(toQuestion),
    val: curation.val.map(toQuestion),
    rows,
  });
  const rates = [...passRates.values()];
  const rolloutCount = rates.length * filter.rollouts;
  const retrievals = [...data.results.values()].reduce((sum, r) => sum + r.retrievals, 0);
  return {
    summary: {
      questions: data.records.length,
      probed: rates.length,
      rollouts: rolloutCount,
      meanPassRate: rates.reduce((sum, rate) => sum + rate, 0) / Math.max(1, rates.length),
      meanRetrievals: retrievals / Math.max(1, rolloutCount),
      probeSeconds: Math.round(data.probeSeconds * 10) / 10,
      ...counts,
    },
  };
}

function passRate(outcomes: boolean[]): number {
  return outcomes.filter(Boolean).length / outcomes.length;
}
