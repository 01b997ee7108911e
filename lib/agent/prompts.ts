/**
 * The instruction templates of the two modes. Paraphrased from the spec's section 2 (the
 * exact reference strings are not available to us); the structure is the same: one user
 * message, instructions first, then `Question: {question}` and a newline.
 */
import { ENVIRONMENT } from './environment.ts';

export type AgentMode = 'sq' | 'mq';

/** The example answer inside both templates; reward extraction must never see it (spec section 5). */
export const TEMPLATE_EXAMPLE_ANSWER = ENVIRONMENT.template_example_answer;

const SQ_INSTRUCTIONS =
  'Answer the given question. ' +
  'Every time you receive new information, first reason about it inside <think> and </think>. ' +
  'If you find that you lack some knowledge, you can call a search engine by writing ' +
  '<search> query </search>, and it will return the top search results between ' +
  '<information> and </information>. ' +
  'You may search as many times as you want. ' +
  'Once you need no further external knowledge, give the answer inside <answer> and </answer>, ' +
  `without a detailed explanation, for example <answer> ${TEMPLATE_EXAMPLE_ANSWER} </answer>. `;

const MQ_INSTRUCTIONS =
  'Answer the given question. ' +
  'Every time you receive new information, first reason about it inside <think> and </think>. ' +
  'If you find that you lack some knowledge, you can call a search engine by writing ' +
  '<search> query_1,query_2 </search>, and it will return the top search results for each ' +
  'query between <information> and </information>. ' +
  'You may search as many times as you want, with up to three queries in each search. ' +
  'Once you need no further external knowledge, give the answer inside <answer> and </answer>, ' +
  `without a detailed explanation, for example <answer> ${TEMPLATE_EXAMPLE_ANSWER} </answer>. `;

/** The instruction block of a mode, without the question line. */
export function instructionsFor(mode: AgentMode): string {
  return mode === 'sq' ? SQ_INSTRUCTIONS : MQ_INSTRUCTIONS;
}

/**
 * RL data prep strips the question and appends `?` when missing (spec section 2); set
 * `normalizeQuestion: false` to keep the question exactly as given (teacher sampling, eval).
 */
export interface BuildPromptOptions {
  question: string;
  mode: AgentMode;
  normalizeQuestion?: boolean;
}

/** The user message content: instructions, then `Question: {question}\n`. */
export function buildPrompt(options: BuildPromptOptions): string {
  let question = options.question;
  if (options.normalizeQuestion) {
    question = question.trim();
    if (!question.endsWith('?')) question += '?';
  }
  return `${instructionsFor(options.mode)}Question: ${question}\n`;
}
