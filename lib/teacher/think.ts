import type { QuestionPlan } from '../world/schema.ts';
import type { TeacherKnowledge } from './knowledge.ts';
import type { ResolvedTeacherOptions } from './options.ts';
import { subjectName, type ReadState } from './replay.ts';

/** "a, b and c". */
export function joinList(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** "the birthplace of Satos Velm is Velmar": step `i` in words, with the value it holds. */
function statement(
  plan: QuestionPlan,
  state: ReadState,
  knowledge: TeacherKnowledge,
  i: number,
): string {
  const step = plan.steps[i];
  if (!step) return '';
  const name = subjectName(step, state, knowledge) as string;
  return `${knowledge.describe(step.relation, step.inverse, name)} is ${state.values[i]}`;
}

export interface LearnedOptions {
  plan: QuestionPlan;
  state: ReadState;
  knowledge: TeacherKnowledge;
  /** The round just read; its facts are the fresh ones. */
  round: number;
  style: ResolvedTeacherOptions['thinkStyle'];
}

/**
 * What the last `<information>` block taught. In the quote style the evidence sentences come
 * first, exactly as the documents have them and after a colon and a space, so a word-level
 * tokenizer gives every quoted word the same token (" Velmar") as in the document: a small
 * policy learns to copy the sentence, then to conclude from it. Quotation marks would glue
 * to the first word and change its token.
 */
export function describeLearned({ plan, state, knowledge, round, style }: LearnedOptions): string {
  if (round < 0) return '';
  const fresh = plan.steps.map((_, i) => i).filter((i) => state.readAt[i] === round);
  if (fresh.length === 0) return '';
  const facts = joinList(fresh.map((i) => statement(plan, state, knowledge, i)));
  const quotes =
    style === 'quote'
      ? [...new Set(fresh.map((i) => state.evidence[i]).filter((e) => e !== undefined))]
      : [];
  if (quotes.length === 0) return `The documents say that ${facts}. `;
  return `The documents say: ${quotes.join(' ')} That means ${facts}. `;
}

/** A recap of every step's value, for answers that combine several hops. */
export function summary(plan: QuestionPlan, state: ReadState, knowledge: TeacherKnowledge): string {
  if (plan.combine.kind === 'last') return '';
  const parts = plan.steps.map((_, i) => statement(plan, state, knowledge, i));
  return `Putting it together, ${joinList(parts)}. `;
}
