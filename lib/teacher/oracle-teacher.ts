import { ENVIRONMENT } from '../agent/environment.ts';
import { DataError } from '../errors.ts';
import type { GenerateRequest, GenerateResult, LlmBackend } from '../llm/backend.ts';
import type { QaItem } from '../qa/types.ts';
import { parseTeacherContext } from './context.ts';

/** Titles already searched: one per sq call, up to the query limit per mq call. */
const searched = (context: { mode: 'sq' | 'mq'; searches: number }) =>
  context.searches * (context.mode === 'mq' ? ENVIRONMENT.prompt_query_limit : 1);

const normalize = (text: string) => text.trim().replace(/\?+$/, '').toLowerCase();

/** The titles a question's gold annotation says hold its facts (HotpotQA `supporting_facts`). */
export function supportingTitles(item: QaItem): string[] {
  const facts = item.metadata['supporting_facts'] as { title?: unknown } | undefined;
  const titles = Array.isArray(facts?.title) ? facts.title.map(String) : [];
  return titles.length > 0 ? [...new Set(titles)] : [item.question];
}

/**
 * A teacher for real QA data with gold annotations, labelled as an oracle: it stands in for
 * the paper's 72B teacher where no capable model can be run (SmolLM2-135M-Instruct wrote no
 * valid action in any of its teacher trajectories on the smol preset's questions). It searches
 * each supporting-fact title in turn and answers only once a retrieved document contains a gold
 * answer, quoting that answer; if none does, it answers "unknown", a well-formed wrong
 * trajectory that sft-split leaves out. So every SFT sample it yields is grounded in what the
 * retriever returned, as a reading teacher's would be.
 */
export function createOracleTeacher(items: readonly QaItem[]): LlmBackend {
  const byQuestion = new Map(items.map((item) => [normalize(item.question), item]));
  return {
    id: `oracle-teacher:${items.length}`,
    async generate(request: GenerateRequest): Promise<GenerateResult> {
      const context = parseTeacherContext(request);
      const item = byQuestion.get(normalize(context.question));
      if (!item) {
        throw new DataError(
          `oracle teacher: question not among its ${items.length} items: ${context.question}`,
        );
      }
      const seen = context.rounds
        .flatMap((round) => round.docsPerQuery.flat())
        .map((doc) => `${doc.title}\n${doc.text}`.toLowerCase())
        .join('\n');
      const found = item.golden_answers.find((answer) => seen.includes(answer.toLowerCase()));
      const titles = supportingTitles(item);
      let text: string;
      if (found !== undefined) {
        text = `<think> A retrieved document says ${found}. </think>\n<answer> ${found} </answer>`;
      } else if (searched(context) < titles.length) {
        const from = searched(context);
        const next =
          context.mode === 'mq'
            ? titles.slice(from, from + ENVIRONMENT.prompt_query_limit)
            : [titles[from]!];
        const query = next.join(`${ENVIRONMENT.query_separator} `);
        text = `<think> I need to look up ${next.join(' and ')}. </think>\n<search> ${query} </search>`;
      } else {
        text = '<think> The documents do not give the answer. </think>\n<answer> unknown </answer>';
      }
      return { text, finishReason: 'stop', usage: { promptTokens: 0, completionTokens: 0 } };
    },
  };
}
