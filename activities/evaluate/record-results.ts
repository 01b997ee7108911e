import type { PrismaClient } from '../../prisma/generated/client.ts';
import { DataError } from '../../lib/errors.ts';
import {
  aggregateEvalOutputs,
  parseEvalOutputs,
  type AggregatedEvalRow,
  type EvalOutput,
} from '../../lib/eval/outputs.ts';
import { StampSchema, type Stamp } from '../../lib/eval/stamp.ts';
import type { StageOutput } from '../../lib/stages/output.ts';
import type { ArtifactStoreLike, MetricMirror } from '../framework/types.ts';

/** What one method ran with. */
export interface MethodRecord {
  checkpoint: string;
  stamp: Stamp;
}

export interface RecordEvalResultsOptions {
  runId?: string | null;
  /** The Schedule row id of the sweep that produced these results. */
  scheduleId?: string | null;
  rows: AggregatedEvalRow[];
  normalize: string;
  methods: Record<string, MethodRecord>;
  /** One artifact for everything, or one per `method|dataset`. */
  outputsArtifact: string | Record<string, string>;
  /** MLflow (or any) mirror for per-dataset metrics of `runId`. */
  mirror?: MetricMirror;
  /** Stage name on Metric rows (default `evaluate`). */
  stage?: string;
  /** The method whose stamp becomes the run's stamp (default `ppo`; none when absent). */
  runStampMethod?: string;
}

const METRICS = ['em', 'f1', 'meanSeconds', 'meanRetrievals'] as const;

/**
 * Writes one EvalResult row per (method, dataset), with per-question scores and the stamp,
 * plus per-dataset Metric rows and mirror metrics (`eval/<method>/<dataset>/<metric>`) for the
 * run, and sets the run's comparability stamp. Mirror failures never fail the recording.
 */
export async function recordEvalResults(
  db: PrismaClient,
  options: RecordEvalResultsOptions,
): Promise<{ ids: string[] }> {
  const stage = options.stage ?? 'evaluate';
  const ids: string[] = [];
  await db.$transaction(async (tx) => {
    for (const row of options.rows) {
      const method = options.methods[row.method];
      if (!method)
        throw new DataError(`recordEvalResults: no checkpoint/stamp for method ${row.method}`);
      const outputsArtifact =
        typeof options.outputsArtifact === 'string'
          ? options.outputsArtifact
          : (options.outputsArtifact[`${row.method}|${row.dataset}`] ?? '');
      const created = await tx.evalResult.create({
        data: {
          runId: options.runId ?? null,
          scheduleId: options.scheduleId ?? null,
          checkpoint: method.checkpoint,
          dataset: row.dataset,
          method: row.method,
          normalize: options.normalize,
          n: row.n,
          em: row.em,
          f1: row.f1,
          meanSeconds: row.meanSeconds,
          meanRetrievals: row.meanRetrievals,
          stamp: method.stamp,
          stampHash: method.stamp.hash,
          outputsArtifact,
          questionIds: row.questionIds,
          questionEm: row.questionEm,
          questionF1: row.questionF1,
        },
        select: { id: true },
      });
      ids.push(created.id);
      if (options.runId) {
        await tx.metric.createMany({
          data: METRICS.map((metric) => ({
            runId: options.runId as string,
            stage,
            key: `eval/${row.method}/${row.dataset}/${metric}`,
            value: row[metric],
          })),
        });
      }
    }
    const runStamp = options.methods[options.runStampMethod ?? 'ppo']?.stamp;
    if (options.runId && runStamp)
      await tx.run.update({ where: { id: options.runId }, data: { stamp: runStamp } });
  });
  if (options.runId && options.mirror) {
    for (const row of options.rows) {
      for (const metric of METRICS) {
        await options.mirror
          .logMetric({
            runId: options.runId,
            stage,
            key: `eval/${row.method}/${row.dataset}/${metric}`,
            value: row[metric],
            step: 0,
          })
          .catch(() => undefined);
      }
    }
  }
  return { ids };
}

/** Reads a jsonl outputs artifact; a bad line is a DataError naming the artifact and line. */
export async function readEvalOutputs(
  artifacts: Pick<ArtifactStoreLike, 'getBytes'>,
  sha256: string,
): Promise<EvalOutput[]> {
  return parseEvalOutputs(sha256, Buffer.from(await artifacts.getBytes(sha256)).toString('utf8'));
}

/** Writes one jsonl artifact per (method, dataset) so viewers can read one group at a time. */
export async function publishGroupedOutputs(
  artifacts: Pick<ArtifactStoreLike, 'putBytes'>,
  outputs: EvalOutput[],
  meta: { producer: string; runId?: string },
): Promise<Record<string, string>> {
  const groups = new Map<string, EvalOutput[]>();
  for (const output of outputs) {
    const key = `${output.method}|${output.dataset}`;
    groups.set(key, [...(groups.get(key) ?? []), output]);
  }
  const refs: Record<string, string> = {};
  for (const [key, group] of groups) {
    const body = new TextEncoder().encode(
      group.map((output) => JSON.stringify(output)).join('\n') + '\n',
    );
    const ref = await artifacts.putBytes(body, {
      kind: 'eval-outputs',
      mediaType: 'application/x-ndjson',
      producer: meta.producer,
      ...(meta.runId ? { runId: meta.runId } : {}),
    });
    refs[key] = ref.sha256;
  }
  return refs;
}

export interface RecordEvaluateStageOptions {
  runId: string;
  /** The evaluate stage's output (sharded or not). */
  output: StageOutput;
}

/**
 * Turns the evaluate stage's shard outputs into EvalResult rows: reads every shard's outputs,
 * aggregates over all of them, writes grouped outputs artifacts, and records the rows, metrics
 * and run stamp. For the report stage or a control activity (it needs the db).
 */
export async function recordEvaluateStage(
  deps: { db: PrismaClient; artifacts: ArtifactStoreLike; mlflow?: MetricMirror },
  options: RecordEvaluateStageOptions,
): Promise<{ ids: string[]; rows: AggregatedEvalRow[] }> {
  const parts = options.output.shards ?? [options.output];
  const outputs: EvalOutput[] = [];
  let methods: Record<string, MethodRecord> = {};
  let normalize = 'squad';
  for (const part of parts) {
    const ref = part.artifacts['outputs'];
    if (!ref) throw new DataError('recordEvaluateStage: an evaluate shard has no outputs artifact');
    outputs.push(...(await readEvalOutputs(deps.artifacts, ref.sha256)));
    const summaryMethods = (part.summary['methods'] ?? {}) as Record<
      string,
      { checkpoint: string; stamp: unknown }
    >;
    for (const [name, record] of Object.entries(summaryMethods))
      methods = {
        ...methods,
        [name]: { checkpoint: record.checkpoint, stamp: StampSchema.parse(record.stamp) },
      };
    if (typeof part.summary['normalize'] === 'string') normalize = part.summary['normalize'];
  }
  const rows = aggregateEvalOutputs(outputs);
  const outputsArtifact = await publishGroupedOutputs(deps.artifacts, outputs, {
    producer: 'evaluate-record',
    runId: options.runId,
  });
  const { ids } = await recordEvalResults(deps.db, {
    runId: options.runId,
    rows,
    normalize,
    methods,
    outputsArtifact,
    ...(deps.mlflow ? { mirror: deps.mlflow } : {}),
  });
  return { ids, rows };
}
