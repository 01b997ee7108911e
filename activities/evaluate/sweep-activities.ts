import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import { z } from 'zod';
import { DataError, ConfigError } from '../../lib/errors.ts';
import { readJsonlAll } from '../../lib/jsonl.ts';
import type { MethodPlan } from '../../lib/eval/methods.ts';
import { aggregateEvalOutputs, type AggregatedEvalRow } from '../../lib/eval/outputs.ts';
import {
  sweepMethodName,
  SweepSpecSchema,
  type SweepSpec,
  type SweepWorkflowInput,
} from '../../lib/eval/sweep-spec.ts';
import { StampSchema, type Stamp } from '../../lib/eval/stamp.ts';
import { QaItemSchema, type QaItem } from '../../lib/qa/types.ts';
import type { StageOutput } from '../../lib/stages/output.ts';
import { createBm25Retriever } from '../../retriever/bm25-retriever.ts';
import { toActivityFailure } from '../framework/failures.ts';
import type { ActivityDeps, StageRunDetails } from '../framework/types.ts';
import { unpackArchive } from '../trainer/archive.ts';
import { createPrismaEvalCache } from './eval-cache.ts';
import { openOnnxPolicy } from './policy.ts';
import { publishGroupedOutputs, recordEvalResults } from './record-results.ts';
import { evaluateUnits, inMemoryCheckpoint, unitKey, type EvalWorkUnit } from './run-evaluation.ts';
import { cacheParts, methodStamp } from './stamps.ts';

/** A checkpoint a sweep evaluates: an `onnx` archive, from a run or listed. */
export interface SweepCheckpoint {
  sha256: string;
  runId: string | null;
}

/** Where the sweep's data comes from: a run's prepare stage. */
export interface SweepData {
  corpus: string;
  index: string;
  qa: Record<string, string>;
  retrieval: { k1: number; b: number };
}

export interface SweepTargets {
  checkpoints: SweepCheckpoint[];
  data: SweepData;
}

export interface SweepCellInput {
  spec: SweepSpec;
  data: SweepData;
  checkpoint: SweepCheckpoint;
  topK: number;
}

export interface SweepCellResult {
  checkpoint: SweepCheckpoint;
  method: string;
  stamp: Stamp;
  rows: AggregatedEvalRow[];
  outputsArtifact: Record<string, string>;
  cached: number;
  ran: number;
}

const RetrievalConfigSchema = z
  .object({ retrieval: z.object({ k1: z.number(), b: z.number() }).partial().optional() })
  .loose();

async function latestStageOutput(
  deps: ActivityDeps,
  runId: string,
  stage: string,
): Promise<StageOutput> {
  const rows = await deps.db.stageRun.findMany({
    where: { runId, stage, shard: -1, status: { in: ['COMPLETED', 'CACHED'] } },
    orderBy: [{ finishedAt: 'desc' }, { createdAt: 'desc' }],
    take: 1,
  });
  const output = (rows[0]?.outputs as StageRunDetails | null)?.output;
  if (!output) throw new DataError(`sweep: run ${runId} has no completed ${stage} stage`);
  return output;
}

async function resolveTargets(deps: ActivityDeps, spec: SweepSpec): Promise<SweepTargets> {
  const checkpoints: SweepCheckpoint[] = [];
  for (const runId of spec.runIds) {
    const onnx = (await latestStageOutput(deps, runId, spec.stage)).artifacts['onnx'];
    if (!onnx) throw new DataError(`sweep: run ${runId} ${spec.stage} has no onnx artifact`);
    checkpoints.push({ sha256: onnx.sha256, runId });
  }
  for (const sha256 of spec.checkpoints) checkpoints.push({ sha256, runId: null });
  const dataRunId = spec.dataRunId ?? spec.runIds[0];
  if (!dataRunId) throw new ConfigError('dataRunId: needed when only checkpoints are listed');
  const prepare = await latestStageOutput(deps, dataRunId, 'prepare');
  const artifact = (name: string) => {
    const ref = prepare.artifacts[name];
    if (!ref) throw new DataError(`sweep: run ${dataRunId} prepare has no ${name} artifact`);
    return ref.sha256;
  };
  const run = await deps.db.run.findUniqueOrThrow({
    where: { id: dataRunId },
    include: { experiment: true },
  });
  const retrieval = RetrievalConfigSchema.safeParse(run.experiment.config).data?.retrieval ?? {};
  return {
    checkpoints,
    data: {
      corpus: artifact('corpus'),
      index: artifact('index'),
      qa: Object.fromEntries(spec.datasets.map((dataset) => [dataset, artifact(`qa:${dataset}`)])),
      retrieval: { k1: retrieval.k1 ?? 1.5, b: retrieval.b ?? 0.75 },
    },
  };
}

async function evaluateCell(deps: ActivityDeps, input: SweepCellInput): Promise<SweepCellResult> {
  const { spec, data, checkpoint, topK } = input;
  const workDir = await mkdtemp(join(deps.scratchDir ?? tmpdir(), 'rag-r1-sweep-'));
  try {
    const get = async (sha: string, name: string) => {
      const path = join(workDir, name);
      await deps.artifacts.getToFile(sha, path);
      return path;
    };
    const policyDir = join(workDir, 'policy');
    await mkdir(policyDir, { recursive: true });
    await unpackArchive(await get(checkpoint.sha256, 'policy.tar.gz'), policyDir);
    const policy = await openOnnxPolicy(policyDir, {
      id: `onnx:${checkpoint.sha256.slice(0, 12)}`,
    });
    const retriever = createBm25Retriever({
      indexPath: await get(data.index, 'corpus.bm25'),
      threads: 0,
    });
    try {
      const plan: MethodPlan = { method: 'ppo', checkpoint: 'ppo', kind: 'agent', mode: spec.mode };
      const stamp = methodStamp({
        plan,
        corpusSha: data.corpus,
        indexSha: data.index,
        retrieval: { ...data.retrieval, topK },
        modelSha: policy.modelSha,
        decoding: spec.decoding,
      });
      const method = sweepMethodName(spec.mode, topK);
      const units: EvalWorkUnit[] = [];
      for (const dataset of spec.datasets) {
        const items = await readJsonlAll(
          await get(data.qa[dataset] as string, `${dataset}.jsonl`),
          QaItemSchema as z.ZodType<QaItem>,
        );
        for (const item of items.slice(0, spec.limit ?? items.length)) {
          const unit = {
            plan: { ...plan, method: method as MethodPlan['method'] },
            dataset,
            item,
            policy: { ...policy, checkpoint: checkpoint.sha256 },
            ...cacheParts(stamp, plan),
          };
          units.push({ ...unit, id: unitKey(unit) });
        }
      }
      const heartbeat = (done: number, total: number) =>
        Context.current().heartbeat({ done, total });
      const { outputs, cached, ran } = await evaluateUnits({
        units,
        retriever,
        topK,
        decoding: spec.decoding,
        normalize: spec.normalize,
        concurrency: 16,
        checkpoint: inMemoryCheckpoint(),
        cache: createPrismaEvalCache(deps.db),
        signal: Context.current().cancellationSignal,
        onProgress: (p) => heartbeat(p.done, p.total),
      });
      const outputsArtifact = await publishGroupedOutputs(deps.artifacts, outputs, {
        producer: 'eval-sweep',
        ...(checkpoint.runId ? { runId: checkpoint.runId } : {}),
      });
      return {
        checkpoint,
        method,
        stamp,
        rows: aggregateEvalOutputs(outputs),
        outputsArtifact,
        cached,
        ran,
      };
    } finally {
      await retriever.close();
      await policy.backend.close?.();
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function recordCells(
  deps: ActivityDeps,
  input: { sweep: string; spec: SweepSpec; cells: SweepCellResult[] },
): Promise<{ evalResults: number }> {
  const schedule = await deps.db.schedule.findUnique({ where: { name: input.sweep } });
  if (!schedule)
    throw new DataError(`sweep ${input.sweep}: no Schedule row (deleted while running?)`);
  let evalResults = 0;
  for (const cell of input.cells) {
    const { ids } = await recordEvalResults(deps.db, {
      runId: cell.checkpoint.runId,
      scheduleId: schedule.id,
      rows: cell.rows,
      normalize: input.spec.normalize,
      methods: {
        [cell.method]: { checkpoint: cell.checkpoint.sha256, stamp: StampSchema.parse(cell.stamp) },
      },
      outputsArtifact: cell.outputsArtifact,
      stage: 'sweep',
      runStampMethod: '',
    });
    evalResults += ids.length;
  }
  return { evalResults };
}

/** Wraps an activity so lab errors reach the workflow with their non-retryable codes. */
function guarded<I, O>(fn: (input: I) => Promise<O>): (input: I) => Promise<O> {
  return async (input) => {
    try {
      return await fn(input);
    } catch (error) {
      throw toActivityFailure(error);
    }
  };
}

/**
 * The sweep's activities: resolve what to evaluate (control queue), evaluate one (checkpoint,
 * top-k) cell scoring only what the evaluation cache lacks (cpu queue), record the results as
 * EvalResult rows linked to the sweep's Schedule row (control queue).
 */
export function createSweepActivities(deps: ActivityDeps) {
  return {
    resolveSweepTargets: guarded((input: SweepWorkflowInput) =>
      resolveTargets(deps, SweepSpecSchema.parse(input.spec)),
    ),
    evaluateSweepCell: guarded((input: SweepCellInput) => evaluateCell(deps, input)),
    recordSweepResults: guarded(
      (input: { sweep: string; spec: SweepSpec; cells: SweepCellResult[] }) =>
        recordCells(deps, input),
    ),
  };
}
export type SweepActivities = ReturnType<typeof createSweepActivities>;
