import type { RolloutCheckpoint, RolloutProgress } from '../../lib/agent/driver.ts';
import { runRollouts } from '../../lib/agent/driver.ts';
import type { TokenCounter } from '../../lib/agent/token-counter.ts';
import type { LlmBackend } from '../../lib/llm/backend.ts';
import type { NormalizeMode } from '../../lib/qa/normalize.ts';
import type { QaItem } from '../../lib/qa/types.ts';
import type { Retriever } from '../../lib/retrieval/types.ts';
import { evalCacheKey } from '../../lib/eval/cache-key.ts';
import { evaluateItem, scorePrediction, type EvalDecoding } from '../../lib/eval/evaluate-item.ts';
import type { MethodPlan } from '../../lib/eval/methods.ts';
import type { EvalOutput } from '../../lib/eval/outputs.ts';

/** One question to answer with one method on one policy. */
export interface EvalWorkUnit {
  /** `method|dataset|questionId`: unique within one evaluation. */
  id: string;
  plan: MethodPlan;
  dataset: string;
  item: QaItem;
  policy: { backend: LlmBackend; tokenCounter?: TokenCounter; checkpoint: string };
  /** Cache-key parts of this unit's method (see lib/eval/cache-key.ts). */
  generation: string;
  retrieverStamp: string;
}

/** A cached answer: enough to rebuild the output line and rescore it. */
export interface CachedAnswer {
  key: string;
  checkpoint: string;
  dataset: string;
  questionId: string;
  prediction: string;
  em: number;
  f1: number;
  seconds: number;
  retrievals: number;
  finishReason: string;
  summary: { turns: EvalOutput['turns']; response: string } | null;
}

/** Where answers are cached across runs and sweeps (EvalCacheEntry rows in production). */
export interface EvalCacheStore {
  getMany(keys: string[]): Promise<Map<string, CachedAnswer>>;
  putMany(entries: CachedAnswer[]): Promise<void>;
}

export interface EvaluateUnitsOptions {
  units: EvalWorkUnit[];
  retriever: Retriever;
  topK: number;
  decoding: EvalDecoding;
  normalize: NormalizeMode;
  concurrency: number;
  checkpoint: RolloutCheckpoint<EvalOutput>;
  cache?: EvalCacheStore;
  signal?: AbortSignal;
  onProgress?: (progress: RolloutProgress) => void;
}

export function unitKey(unit: Pick<EvalWorkUnit, 'plan' | 'dataset' | 'item'>): string {
  return `${unit.plan.method}|${unit.dataset}|${unit.item.id}`;
}

function cacheKeyOf(unit: EvalWorkUnit): string {
  return evalCacheKey({
    checkpoint: unit.policy.checkpoint,
    dataset: unit.dataset,
    questionId: unit.item.id,
    question: unit.item.question,
    generation: unit.generation,
    retriever: unit.retrieverStamp,
  });
}

function fromCache(unit: EvalWorkUnit, hit: CachedAnswer, normalize: NormalizeMode): EvalOutput {
  return {
    method: unit.plan.method,
    dataset: unit.dataset,
    id: unit.item.id,
    question: unit.item.question,
    goldAnswers: unit.item.golden_answers,
    prediction: hit.prediction,
    // Rescored, so a different normalization never needs a new rollout.
    ...scorePrediction(hit.prediction, unit.item.golden_answers, normalize),
    seconds: hit.seconds,
    retrievals: hit.retrievals,
    finishReason: (hit.finishReason || 'answer') as EvalOutput['finishReason'],
    turns: hit.summary?.turns ?? [],
    response: hit.summary?.response ?? '',
    cached: true,
  };
}

/**
 * Answers every unit the cache does not already hold (through the resumable rollout driver),
 * stores the new answers in the cache, and returns all outputs in unit order. Errored rollouts
 * are returned but never cached, so the next evaluation retries them.
 */
export async function evaluateUnits(
  options: EvaluateUnitsOptions,
): Promise<{ outputs: EvalOutput[]; cached: number; ran: number }> {
  const keys = new Map(options.units.map((unit) => [unit.id, cacheKeyOf(unit)]));
  const hits = options.cache
    ? await options.cache.getMany([...keys.values()])
    : new Map<string, CachedAnswer>();
  const fromHits = new Map<string, EvalOutput>();
  const missing: EvalWorkUnit[] = [];
  for (const unit of options.units) {
    const hit = hits.get(keys.get(unit.id) as string);
    if (hit) fromHits.set(unit.id, fromCache(unit, hit, options.normalize));
    else missing.push(unit);
  }
  const { results } = await runRollouts<EvalWorkUnit, EvalOutput>({
    items: missing,
    concurrency: options.concurrency,
    checkpoint: options.checkpoint,
    isFinished: (output) => output.finishReason !== 'error',
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    rollout: (unit, signal) =>
      evaluateItem({
        plan: unit.plan,
        dataset: unit.dataset,
        item: unit.item,
        backend: unit.policy.backend,
        retriever: options.retriever,
        topK: options.topK,
        decoding: options.decoding,
        normalize: options.normalize,
        signal,
        ...(unit.policy.tokenCounter ? { tokenCounter: unit.policy.tokenCounter } : {}),
      }),
  });
  const ran = new Map(missing.map((unit, index) => [unit.id, results[index] as EvalOutput]));
  if (options.cache) {
    const fresh = missing
      .map((unit) => ({ unit, output: ran.get(unit.id) as EvalOutput }))
      .filter(({ output }) => output.finishReason !== 'error')
      .map(({ unit, output }) => toCacheEntry(keys.get(unit.id) as string, unit, output));
    await options.cache.putMany(fresh);
  }
  const outputs = options.units.map(
    (unit) => (fromHits.get(unit.id) ?? ran.get(unit.id)) as EvalOutput,
  );
  return { outputs, cached: fromHits.size, ran: missing.length };
}

function toCacheEntry(key: string, unit: EvalWorkUnit, output: EvalOutput): CachedAnswer {
  return {
    key,
    checkpoint: unit.policy.checkpoint,
    dataset: unit.dataset,
    questionId: unit.item.id,
    prediction: output.prediction,
    em: output.em,
    f1: output.f1,
    seconds: output.seconds,
    retrievals: output.retrievals,
    finishReason: output.finishReason,
    summary: { turns: output.turns, response: output.response },
  };
}

/** A checkpoint that keeps nothing: for callers whose durability comes from the cache. */
export function inMemoryCheckpoint<T>(): RolloutCheckpoint<T> {
  return { load: async () => new Map(), save: async () => undefined };
}
