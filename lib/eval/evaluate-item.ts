import { RolloutConfigSchema } from '../agent/config.ts';
import { runRollout } from '../agent/rollout.ts';
import { responseText, type Trajectory } from '../agent/trajectory.ts';
import type { TokenCounter } from '../agent/token-counter.ts';
import type { LlmBackend } from '../llm/backend.ts';
import type { NormalizeMode } from '../qa/normalize.ts';
import { exactMatch, f1Score } from '../qa/score.ts';
import type { QaItem } from '../qa/types.ts';
import type { Retriever } from '../retrieval/types.ts';
import { runDirectAnswer } from './direct-answer.ts';
import type { EvalDecoding } from './decoding.ts';
import type { MethodPlan } from './methods.ts';
import type { EvalOutput, TurnSummary } from './outputs.ts';

export { EvalDecodingSchema, type EvalDecoding } from './decoding.ts';

export interface EvaluateItemOptions {
  plan: MethodPlan;
  dataset: string;
  item: QaItem;
  backend: LlmBackend;
  retriever: Retriever;
  topK: number;
  decoding: EvalDecoding;
  normalize: NormalizeMode;
  tokenCounter?: TokenCounter;
  signal?: AbortSignal;
  now?: () => number;
}

function summarizeTurns(trajectory: Trajectory): TurnSummary[] {
  return trajectory.turns.map((turn) => ({
    action: turn.action,
    ...(turn.queries ? { queries: turn.queries } : {}),
    ...(turn.docIds ? { docIds: turn.docIds } : {}),
  }));
}

/** Scores a prediction against the item's gold answers. */
export function scorePrediction(
  prediction: string,
  golds: readonly string[],
  normalize: NormalizeMode,
) {
  return {
    em: exactMatch(prediction, golds, normalize),
    f1: f1Score(prediction, golds, normalize),
  };
}

/** Answers one question with one method and scores it. */
export async function evaluateItem(options: EvaluateItemOptions): Promise<EvalOutput> {
  const { plan, item, decoding } = options;
  const now = options.now ?? (() => performance.now());
  const started = now();
  const base = {
    method: plan.method,
    dataset: options.dataset,
    id: item.id,
    question: item.question,
    goldAnswers: item.golden_answers,
  };
  if (plan.kind === 'agent') {
    const trajectory = await runRollout({
      question: item,
      mode: plan.mode,
      backend: options.backend,
      retriever: options.retriever,
      config: RolloutConfigSchema.parse({
        maxTurns: decoding.maxTurns,
        topK: options.topK,
        maxObsTokens: decoding.maxObsTokens,
        maxTokensPerTurn: decoding.maxTokensPerTurn,
        temperature: decoding.temperature,
        topP: decoding.topP,
        ...(decoding.maxContextTokens === undefined
          ? {}
          : { maxContextTokens: decoding.maxContextTokens }),
        ...(decoding.seed === undefined ? {} : { seed: decoding.seed }),
      }),
      ...(options.tokenCounter ? { tokenCounter: options.tokenCounter } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const prediction = trajectory.answer ?? '';
    return {
      ...base,
      prediction,
      ...scorePrediction(prediction, item.golden_answers, options.normalize),
      seconds: (now() - started) / 1000,
      retrievals: trajectory.retrievalCount,
      finishReason: trajectory.finishReason,
      turns: summarizeTurns(trajectory),
      response: responseText(trajectory),
    };
  }
  const direct = await runDirectAnswer({
    kind: plan.kind,
    question: item.question,
    backend: options.backend,
    retriever: options.retriever,
    topK: options.topK,
    temperature: decoding.temperature,
    topP: decoding.topP,
    maxTokens: decoding.maxTokensPerTurn,
    maxObsTokens: decoding.maxObsTokens,
    ...(decoding.seed === undefined ? {} : { seed: decoding.seed }),
    ...(options.tokenCounter ? { tokenCounter: options.tokenCounter } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const prediction = direct.answer ?? '';
  return {
    ...base,
    prediction,
    ...scorePrediction(prediction, item.golden_answers, options.normalize),
    seconds: (now() - started) / 1000,
    retrievals: direct.retrievals,
    finishReason: direct.finishReason,
    turns: [
      ...(direct.docIds.length > 0
        ? [{ action: 'search' as const, queries: [item.question], docIds: direct.docIds }]
        : []),
      { action: direct.answer === null ? ('invalid' as const) : ('answer' as const) },
    ],
    response: direct.response,
  };
}
