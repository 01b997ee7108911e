import type { PrismaClient } from '../../../infra/db/client.ts';
import type { Env } from '../../../lib/env.ts';
import { LabError } from '../../../lib/errors.ts';
import type { CompareCell, CompareRow, Comparison, ConfigDiffEntry, TrajectoryPair, TrajectoryRequest } from '../types.ts';
import { getRun } from './registry-reads.ts';
import type { ArtifactBytes } from './run-logs.ts';
import { parseQuestionRecords, type QuestionRecord } from './trajectory-records.ts';

type EvalRowLike = { runId: string | null; dataset: string; method: string; n: number; em: number; f1: number; meanSeconds: number; meanRetrievals: number };

/** Flattens a JSON value into dotted paths (arrays are leaves). */
export function flatten(value: unknown, prefix = '', into = new Map<string, unknown>()): Map<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flatten(inner, prefix ? `${prefix}.${key}` : key, into);
  } else into.set(prefix, value);
  return into;
}

/** Paths whose values differ between the configs. */
export function configDiff(configs: unknown[]): ConfigDiffEntry[] {
  const flat = configs.map((config) => flatten(config));
  const paths = [...new Set(flat.flatMap((map) => [...map.keys()]))].sort();
  return paths
    .map((path) => ({ path, values: flat.map((map) => map.get(path)) }))
    .filter((entry) => new Set(entry.values.map((value) => JSON.stringify(value))).size > 1);
}

/** EM difference with a 95% Wald interval for two independent proportions. */
function deltaInterval(baseline: EvalRowLike, other: EvalRowLike): NonNullable<CompareCell['deltaEm']> {
  const variance = (p: number, n: number) => (n > 0 ? (p * (1 - p)) / n : 0);
  const se = Math.sqrt(variance(baseline.em, baseline.n) + variance(other.em, other.n));
  const value = other.em - baseline.em;
  return { value, low: value - 1.96 * se, high: value + 1.96 * se };
}

/**
 * Per-dataset results of several runs side by side (the first is the baseline), with EM
 * deltas and intervals, plus the config diff. The registry's latest result per
 * (run, dataset, method) is used.
 */
export async function compareRuns(db: PrismaClient, env: Env, runIds: string[]): Promise<Comparison> {
  const runs = await Promise.all(runIds.map((id) => getRun(db, env, id)));
  const results = await db.evalResult.findMany({ where: { runId: { in: runIds } }, orderBy: { createdAt: 'asc' } });
  const latest = new Map<string, EvalRowLike>();
  for (const row of results) latest.set(`${row.runId}|${row.dataset}|${row.method}`, row);
  const keys = [...new Set(results.map((row) => `${row.dataset}|${row.method}`))].sort();
  const rows: CompareRow[] = keys.map((key) => {
    const [dataset = '', method = ''] = key.split('|');
    const baseline = latest.get(`${runIds[0]}|${key}`);
    return {
      dataset,
      method,
      cells: runIds.map((runId, index) => {
        const row = latest.get(`${runId}|${key}`);
        if (!row) return null;
        return {
          runId, em: row.em, f1: row.f1, n: row.n, meanSeconds: row.meanSeconds, meanRetrievals: row.meanRetrievals,
          deltaEm: index > 0 && baseline ? deltaInterval(baseline, row) : null,
        };
      }),
    };
  });
  return {
    runs,
    rows,
    configDiff: configDiff(runs.map((run) => run.config)),
    intervalMethod: 'Δ EM vs the first run, 95% Wald interval for two independent proportions (unpaired); bold colour = interval excludes 0.',
  };
}

async function recordsOf(db: PrismaClient, readArtifact: ArtifactBytes, runId: string, dataset: string): Promise<Map<string, QuestionRecord>> {
  const rows = await db.evalResult.findMany({ where: { runId, dataset }, orderBy: { createdAt: 'desc' } });
  const row = rows.find((candidate) => candidate.method === 'policy') ?? rows[0];
  if (!row || !/^[0-9a-f]{64}$/.test(row.outputsArtifact)) return new Map();
  return parseQuestionRecords(Buffer.from(await readArtifact(row.outputsArtifact)).toString('utf8'));
}

/** One question of one dataset as answered by two runs (question list from either run). */
export async function trajectories(db: PrismaClient, readArtifact: ArtifactBytes, request: TrajectoryRequest): Promise<TrajectoryPair> {
  const [left, right] = await Promise.all([
    recordsOf(db, readArtifact, request.runA, request.dataset),
    recordsOf(db, readArtifact, request.runB, request.dataset),
  ]);
  const questionIds = [...new Set([...left.keys(), ...right.keys()])].sort();
  const differs = (id: string) => left.get(id)?.view.em !== right.get(id)?.view.em;
  const questionId = request.questionId ?? questionIds.find(differs) ?? questionIds[0];
  if (!questionId) {
    throw new LabError('NOT_FOUND', `no per-question outputs for dataset ${request.dataset} in runs ${request.runA}, ${request.runB}`);
  }
  const a = left.get(questionId);
  const b = right.get(questionId);
  const any = a ?? b;
  return {
    dataset: request.dataset,
    questionId,
    question: any?.question ?? '',
    goldAnswers: any?.goldAnswers ?? [],
    questionIds,
    sides: [a ? { runId: request.runA, ...a.view } : null, b ? { runId: request.runB, ...b.view } : null],
  };
}
