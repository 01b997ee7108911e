import { buildPrompt, TEMPLATE_EXAMPLE_ANSWER } from '../agent/prompts.ts';
import { extractAnswer } from '../agent/parser.ts';
import { renderSqObservation } from '../agent/observation.ts';
import { APPROXIMATE_TOKEN_COUNTER, type TokenCounter } from '../agent/token-counter.ts';
import type { LlmBackend } from '../llm/backend.ts';
import type { Retriever } from '../retrieval/types.ts';
import type { MethodKind } from './methods.ts';

/**
 * The two baselines without the agent loop (spec section 7: "Direct inference" and "Standard
 * RAG"). Our wording; the reference prompts for these rows are not given in the paper.
 */
const NAIVE_INSTRUCTIONS =
  'Answer the given question directly, without searching. ' +
  'Give the answer inside <answer> and </answer>, without a detailed explanation, ' +
  `for example <answer> ${TEMPLATE_EXAMPLE_ANSWER} </answer>. `;

const RAG_INSTRUCTIONS =
  'Answer the given question using the documents below. ' +
  'Give the answer inside <answer> and </answer>, without a detailed explanation, ' +
  `for example <answer> ${TEMPLATE_EXAMPLE_ANSWER} </answer>. `;

/** The template text of a method, with `{question}` and `{documents}` placeholders. */
export function promptTemplateOf(kind: MethodKind, mode: 'sq' | 'mq'): string {
  switch (kind) {
    case 'direct':
      return `${NAIVE_INSTRUCTIONS}Question: {question}\n`;
    case 'rag-once':
      return `${RAG_INSTRUCTIONS}Documents:{documents}Question: {question}\n`;
    case 'agent':
      return buildPrompt({ question: '{question}', mode });
    default: {
      const unreachable: never = kind;
      throw new Error(`unknown method kind ${String(unreachable)}`);
    }
  }
}

export interface DirectAnswerOptions {
  kind: 'direct' | 'rag-once';
  question: string;
  backend: LlmBackend;
  /** Needed for `rag-once`. */
  retriever?: Retriever;
  topK: number;
  temperature: number;
  topP: number;
  maxTokens: number;
  maxObsTokens: number | null;
  seed?: number;
  tokenCounter?: TokenCounter;
  signal?: AbortSignal;
}

export interface DirectAnswer {
  answer: string | null;
  response: string;
  retrievals: number;
  docIds: string[][];
  finishReason: 'answer' | 'invalid';
}

/** One generation (after one retrieval for `rag-once`); the answer is the `<answer>` text. */
export async function runDirectAnswer(options: DirectAnswerOptions): Promise<DirectAnswer> {
  let documents = '';
  const docIds: string[][] = [];
  if (options.kind === 'rag-once') {
    if (!options.retriever) throw new Error('standard RAG needs a retriever');
    const [hits = []] = await options.retriever.retrieve(
      [options.question],
      options.topK,
      options.signal,
    );
    docIds.push(hits.map((hit) => hit.document.id));
    documents = renderSqObservation(
      hits,
      options.tokenCounter ?? APPROXIMATE_TOKEN_COUNTER,
      options.maxObsTokens,
    );
  }
  const prompt = promptTemplateOf(options.kind, 'sq')
    .replace('{documents}', () => documents)
    .replace('{question}', () => options.question);
  const result = await options.backend.generate({
    messages: [{ role: 'user', content: prompt }],
    assistantPrefix: '',
    sampling: {
      temperature: options.temperature,
      topP: options.topP,
      maxTokens: options.maxTokens,
      stop: ['</answer>'],
      ...(options.seed === undefined ? {} : { seed: options.seed }),
    },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const answer = extractAnswer(result.text);
  return {
    answer,
    response: result.text,
    retrievals: options.kind === 'rag-once' ? 1 : 0,
    docIds,
    finishReason: answer === null ? 'invalid' : 'answer',
  };
}
