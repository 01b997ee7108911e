import type { z } from 'zod';
import { ConfigError, DataError } from '../../lib/errors.ts';
import { readJsonlAll } from '../../lib/jsonl.ts';
import type { LlmBackend } from '../../lib/llm/backend.ts';
import { OpenAiHttpBackend } from '../../lib/llm/openai-http.ts';
import { QaItemSchema, type QaItem } from '../../lib/qa/types.ts';
import type { RagR1Config } from '../../lib/rag-r1/config.ts';
import type { Retriever } from '../../lib/retrieval/types.ts';
import type { StageOutput } from '../../lib/stages/output.ts';
import { createSimulatedTeacher } from '../../lib/teacher/index.ts';
import { createOracleTeacher } from '../../lib/teacher/oracle-teacher.ts';
import { readWorldGraph } from '../../lib/world/write-world.ts';
import { createBm25Retriever } from '../../retriever/bm25-retriever.ts';
import { createHttpRetriever } from '../../retriever/http-retriever.ts';
import { openServedHfModel, resolveHfModelPath } from '../trainer/hf-models.ts';
import { cpuThreads } from '../trainer/trainer-artifacts.ts';
import type { StageContext } from '../framework/types.ts';
import { dirname } from 'node:path';
import { loadEnv } from '../../lib/env.ts';

/** An upstream artifact that must exist; its absence is a clear, non-retryable error. */
export function requireArtifact(ctx: StageContext<unknown>, stage: string, name: string) {
  const ref = ctx.inputs[stage]?.artifacts[name];
  if (!ref) throw new DataError(`${ctx.stage}: input ${stage}.${name} is missing`);
  return ref;
}

/** The retriever of a stage: the prepared BM25 index in process, or the configured service. */
export async function openRetriever(
  ctx: StageContext<unknown>,
  retrieval: RagR1Config['retrieval'],
): Promise<Retriever> {
  if (retrieval.url) return createHttpRetriever(retrieval.url);
  const indexPath = await ctx.download(requireArtifact(ctx, 'prepare', 'index'), 'corpus.bm25');
  // One thread: the stage's own concurrency comes from many rollouts in flight, not workers.
  return createBm25Retriever({ indexPath, threads: 0 });
}

/** Reads a QA artifact of an upstream stage. */
export async function readQaArtifact(
  ctx: StageContext<unknown>,
  stage: string,
  name: string,
): Promise<QaItem[]> {
  const path = await ctx.download(
    requireArtifact(ctx, stage, name),
    `${name.replace(/\W/g, '_')}.jsonl`,
  );
  return readJsonlAll(path, QaItemSchema as z.ZodType<QaItem>);
}

/**
 * The teacher model: an OpenAI-compatible endpoint, a local HF model served here by the
 * trainer (the same HTTP path), or the tiny world's simulated teacher.
 */
export async function openTeacher(
  ctx: StageContext<unknown>,
  backend: RagR1Config['teacherSample']['backend'],
  seed: number,
): Promise<LlmBackend> {
  if (backend.kind === 'openai') {
    const apiKey = backend.apiKeyEnv ? loadEnv()[backend.apiKeyEnv] : undefined;
    if (backend.apiKeyEnv && typeof apiKey !== 'string') {
      throw new ConfigError(`teacherSample.backend.apiKeyEnv: ${backend.apiKeyEnv} is not set`);
    }
    return new OpenAiHttpBackend({
      baseUrl: backend.baseUrl,
      model: backend.model,
      maxConcurrency: backend.concurrency,
      ...(typeof apiKey === 'string' ? { apiKey } : {}),
    });
  }
  if (backend.kind === 'oracle') {
    return createOracleTeacher(await readQaArtifact(ctx, 'prepare', 'train'));
  }
  if (backend.kind === 'hf') {
    const dir = await resolveHfModelPath(ctx, backend.path);
    return openServedHfModel(dir, {
      id: `hf-teacher:${backend.path}`,
      workDir: ctx.workDir,
      threads: cpuThreads(),
      device: backend.device,
      maxBatch: backend.maxBatch,
      keepAlive: () => ctx.keepAlive(),
    });
  }
  const worldRef = ctx.inputs['prepare']?.artifacts['world'];
  if (!worldRef) {
    throw new ConfigError(
      'teacherSample.backend: the simulated teacher needs the tiny world (data.source "tiny-world")',
    );
  }
  const worldPath = await ctx.download(worldRef, 'world.json');
  const graph = await readWorldGraph(dirname(worldPath));
  return createSimulatedTeacher(graph, {
    seed,
    errorScale: backend.errorScale,
    thinkStyle: backend.thinkStyle,
  });
}

/** Item ids of shard `shard` of `count`: contiguous ranges, stable across attempts. */
export function shardItems<T>(items: readonly T[], shard: number, count: number): T[] {
  if (shard < 0 || count < 2) return [...items];
  const size = Math.ceil(items.length / count);
  return items.slice(shard * size, (shard + 1) * size);
}

/** The outputs of a possibly-sharded upstream stage, in shard order. */
export function outputParts(output: StageOutput | undefined): StageOutput[] {
  if (!output) return [];
  return output.shards ?? [output];
}
