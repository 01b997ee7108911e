import type { PrismaClient } from '../../../infra/db/client.ts';
import { parseEvalOutputs, type EvalOutput } from '../../../lib/eval/outputs.ts';
import { LabError } from '../../../lib/errors.ts';
import type {
  TrajectoryPair,
  TrajectoryRequest,
  TrajectoryTurn,
  TrajectoryView,
} from '../types.ts';
import type { ArtifactBytes } from './run-logs.ts';

/**
 * The trajectory diff, read from the evaluate stage's per-question outputs: the artifact on
 * each run's latest EvalResult of (method, dataset), jsonl lines of lib/eval/outputs.ts
 * `EvalOutputSchema`. A bad line is a DataError naming artifact and line.
 */
const TAGS: Record<string, TrajectoryTurn['kind']> = {
  think: 'think',
  search: 'search',
  information: 'documents',
  answer: 'answer',
};
const TAG_PATTERN = new RegExp(`<(${Object.keys(TAGS).join('|')})>([\\s\\S]*?)(?:</\\1>|$)`, 'g');

/** Splits a think/search/information/answer response into turns; untagged text is kept. */
export function splitTurns(text: string): TrajectoryTurn[] {
  const turns: TrajectoryTurn[] = [];
  let last = 0;
  for (const match of text.matchAll(TAG_PATTERN)) {
    const between = text.slice(last, match.index).trim();
    if (between) turns.push({ kind: 'text', text: between });
    turns.push({ kind: TAGS[match[1] ?? ''] ?? 'text', text: (match[2] ?? '').trim() });
    last = match.index + match[0].length;
  }
  const rest = text.slice(last).trim();
  if (rest) turns.push({ kind: 'text', text: rest });
  return turns;
}

/** One outputs line as the viewer shows it. */
export function viewOf(runId: string, output: EvalOutput): TrajectoryView {
  return {
    runId,
    prediction: output.prediction,
    em: output.em,
    f1: output.f1,
    seconds: output.seconds,
    retrievals: output.retrievals,
    finishReason: output.finishReason,
    cached: output.cached ?? false,
    turns: splitTurns(output.response),
  };
}

type Side = { methods: string[]; outputs: Map<string, EvalOutput> };

/** A run's methods on `dataset`, and the outputs of `method` (latest result) by question id. */
async function sideOf(
  db: PrismaClient,
  readArtifact: ArtifactBytes,
  runId: string,
  dataset: string,
  method: string | undefined,
): Promise<Side> {
  const rows = await db.evalResult.findMany({
    where: { runId, dataset },
    orderBy: { createdAt: 'desc' },
    select: { method: true, outputsArtifact: true },
  });
  const methods = [...new Set(rows.map((row) => row.method))].sort();
  const row = rows.find((candidate) => candidate.method === (method ?? methods[0]));
  if (!row?.outputsArtifact) return { methods, outputs: new Map() };
  const text = Buffer.from(await readArtifact(row.outputsArtifact)).toString('utf8');
  const lines = parseEvalOutputs(row.outputsArtifact, text);
  // One artifact per (method, dataset) is the rule; a single shared artifact still reads right.
  const mine = lines.filter((line) => line.method === row.method && line.dataset === dataset);
  return { methods, outputs: new Map(mine.map((line) => [line.id, line])) };
}

/** One question of one dataset and method as answered by two runs; opens on a differing one. */
export async function trajectories(
  db: PrismaClient,
  readArtifact: ArtifactBytes,
  request: TrajectoryRequest,
): Promise<TrajectoryPair> {
  const first = await sideOf(db, readArtifact, request.runA, request.dataset, request.method);
  const method = request.method ?? first.methods[0];
  const second = await sideOf(db, readArtifact, request.runB, request.dataset, method);
  const chosenMethod = method ?? second.methods[0];
  const [left, right] = [first.outputs, second.outputs];
  const questionIds = [...new Set([...left.keys(), ...right.keys()])].sort();
  const differs = (id: string) => left.get(id)?.em !== right.get(id)?.em;
  const questionId = request.questionId ?? questionIds.find(differs) ?? questionIds[0];
  if (!questionId || !chosenMethod) {
    throw new LabError(
      'NOT_FOUND',
      `no per-question outputs for dataset ${request.dataset}${request.method ? ` method ${request.method}` : ''} in runs ${request.runA}, ${request.runB}`,
    );
  }
  const a = left.get(questionId);
  const b = right.get(questionId);
  const any = a ?? b;
  return {
    dataset: request.dataset,
    method: chosenMethod,
    methods: [...new Set([...first.methods, ...second.methods])].sort(),
    questionId,
    question: any?.question ?? '',
    goldAnswers: any?.goldAnswers ?? [],
    questionIds,
    sides: [a ? viewOf(request.runA, a) : null, b ? viewOf(request.runB, b) : null],
  };
}
