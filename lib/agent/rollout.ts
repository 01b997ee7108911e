/**
 * One episode of the think/search/answer loop (spec section 1, turn loop): generate until a
 * search or an answer, run the call's queries in one batched retrieval, append the documents,
 * continue; `maxTurns` rounds, then one final generation whose search is not executed.
 * I/O happens only through the injected backend and retriever.
 */
import { DataError, LabError, NON_RETRYABLE_CODES, UpstreamHttpError } from '../errors.ts';
import type { GenerateResult, LlmBackend } from '../llm/backend.ts';
import type { Retriever } from '../retrieval/types.ts';
import type { RolloutConfig } from './config.ts';
import {
  INVALID_ACTION_CORRECTION,
  renderMqObservation,
  renderSqObservation,
} from './observation.ts';
import {
  finalAnswer,
  parseAction,
  splitQueries,
  STOP_SEQUENCES,
  truncateAtAction,
} from './parser.ts';
import { buildPrompt, type AgentMode } from './prompts.ts';
import { APPROXIMATE_TOKEN_COUNTER, type TokenCounter } from './token-counter.ts';
import type { FinishReason, Trajectory, Turn } from './trajectory.ts';

export interface RunRolloutOptions {
  question: { id: string; question: string };
  mode: AgentMode;
  backend: LlmBackend;
  retriever: Retriever;
  config: RolloutConfig;
  /** The policy tokenizer's counter; defaults to an approximation (see token-counter.ts). */
  tokenCounter?: TokenCounter;
  signal?: AbortSignal;
  /** Milliseconds clock for the timings; injectable for tests. */
  now?: () => number;
}

interface EpisodeState {
  options: RunRolloutOptions;
  counter: TokenCounter;
  now: () => number;
  trajectory: Trajectory;
  /** The segments' texts joined: what the assistant has written, observations included. */
  context: string;
  /** What was appended to `context` since the last generation request. */
  addedSinceRequest: string;
  contextTokens: number;
}

/** Runs one rollout to its end. Transient failures become `finishReason: 'error'`. */
export async function runRollout(options: RunRolloutOptions): Promise<Trajectory> {
  const state = startEpisode(options);
  try {
    const reason = await runTurns(state);
    return finish(state, reason);
  } catch (error) {
    if (options.signal?.aborted || isPermanent(error)) throw error;
    const trajectory = finish(state, 'error');
    trajectory.error = error instanceof Error ? error.message : String(error);
    return trajectory;
  }
}

function startEpisode(options: RunRolloutOptions): EpisodeState {
  const prompt = buildPrompt({
    question: options.question.question,
    mode: options.mode,
    normalizeQuestion: options.config.normalizeQuestion,
  });
  const counter = options.tokenCounter ?? APPROXIMATE_TOKEN_COUNTER;
  const trajectory: Trajectory = {
    questionId: options.question.id,
    question: options.question.question,
    mode: options.mode,
    prompt,
    segments: [],
    turns: [],
    answer: null,
    finishReason: 'error',
    retrievalCount: 0,
    usage: { promptTokens: 0, completionTokens: 0 },
    llmMs: 0,
    retrievalMs: 0,
  };
  const now = options.now ?? (() => performance.now());
  return {
    options,
    counter,
    now,
    trajectory,
    context: '',
    addedSinceRequest: '',
    contextTokens: counter.countTokens(prompt),
  };
}

async function runTurns(state: EpisodeState): Promise<FinishReason> {
  const { config } = state.options;
  for (let turnIndex = 0; turnIndex <= config.maxTurns; turnIndex += 1) {
    const isFinal = turnIndex === config.maxTurns;
    const budget = remainingTokens(state);
    if (budget <= 0) return 'max_tokens';
    const started = state.now();
    const generated = await generate(state, Math.min(budget, config.maxTokensPerTurn));
    const text = truncateAtAction(generated.text);
    const turn: Turn = { action: 'invalid', llmMs: state.now() - started, retrievalMs: 0 };
    turn.generationFinish = generated.finishReason;
    append(state, 'model', text);
    const action = parseAction(text);
    if (action.think !== undefined) turn.think = action.think;
    state.trajectory.turns.push(turn);
    if (action.kind === 'answer') {
      turn.action = 'answer';
      return 'answer';
    }
    if (action.kind === 'invalid') {
      turn.invalidReason = action.reason;
      if (isFinal) return 'invalid';
      append(state, 'env', INVALID_ACTION_CORRECTION);
      continue;
    }
    turn.action = 'search';
    if (isFinal && !config.executeSearchOnFinalTurn) {
      turn.searchSkipped = true;
      return 'max_turns';
    }
    await search(state, turn, action.content);
  }
  return 'max_turns';
}

async function generate(state: EpisodeState, maxTokens: number): Promise<GenerateResult> {
  const { backend, config, signal } = state.options;
  const episode = { key: state, added: state.addedSinceRequest };
  state.addedSinceRequest = '';
  const result = await backend.generate({
    messages: [{ role: 'user', content: state.trajectory.prompt }],
    assistantPrefix: state.context,
    sampling: {
      temperature: config.temperature,
      topP: config.topP,
      maxTokens,
      stop: [...STOP_SEQUENCES],
      ...(config.seed === undefined ? {} : { seed: config.seed }),
    },
    ...(signal ? { signal } : {}),
    episode,
  });
  state.trajectory.usage.promptTokens += result.usage.promptTokens;
  state.trajectory.usage.completionTokens += result.usage.completionTokens;
  return result;
}

async function search(state: EpisodeState, turn: Turn, content: string): Promise<void> {
  const { config, mode, retriever, signal } = state.options;
  const split = splitQueries(content, {
    mode,
    maxQueries: config.maxQueriesPerCall,
    dedup: config.dedupQueries,
  });
  turn.queries = split.queries;
  if (mode === 'mq') {
    turn.overCap = split.overCap;
    turn.duplicates = split.duplicates;
    if (split.dropped.length > 0) turn.droppedQueries = split.dropped;
  }
  const started = state.now();
  const hits = await retriever.retrieve(split.queries, config.topK, signal);
  turn.retrievalMs = state.now() - started;
  if (hits.length !== split.queries.length) {
    throw new DataError(
      `retriever ${retriever.id} answered ${hits.length} result lists for ${split.queries.length} queries`,
    );
  }
  turn.docIds = hits.map((list) => list.map((hit) => hit.document.id));
  state.trajectory.retrievalCount += 1;
  const observation =
    mode === 'sq'
      ? renderSqObservation(hits[0] ?? [], state.counter, config.maxObsTokens)
      : renderMqObservation(split.queries, hits, state.counter, config.maxObsTokens);
  append(state, 'env', observation);
}

function append(state: EpisodeState, kind: 'model' | 'env', text: string): void {
  if (text === '') return;
  state.trajectory.segments.push({ kind, text });
  state.context += text;
  state.addedSinceRequest += text;
  state.contextTokens += state.counter.countTokens(text);
}

function remainingTokens(state: EpisodeState): number {
  const limit = state.options.config.maxContextTokens;
  return limit === null ? Number.POSITIVE_INFINITY : limit - state.contextTokens;
}

function finish(state: EpisodeState, reason: FinishReason): Trajectory {
  const trajectory = state.trajectory;
  trajectory.finishReason = reason;
  trajectory.answer = finalAnswer(trajectory.segments);
  trajectory.llmMs = trajectory.turns.reduce((sum, turn) => sum + turn.llmMs, 0);
  trajectory.retrievalMs = trajectory.turns.reduce((sum, turn) => sum + turn.retrievalMs, 0);
  return trajectory;
}

/** Errors no retry can fix (bad config, auth, unknown model) fail the stage instead. */
function isPermanent(error: unknown): boolean {
  if (error instanceof UpstreamHttpError) return !error.isRetryable;
  return error instanceof LabError && NON_RETRYABLE_CODES.includes(error.code);
}
