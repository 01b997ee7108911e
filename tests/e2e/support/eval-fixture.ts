import type { PrismaClient } from '../../../infra/db/client.ts';
import type { ArtifactStore } from '../../../infra/s3/artifact-store.ts';
import { publishGroupedOutputs, recordEvalResults } from '../../../activities/evaluate/record-results.ts';
import { aggregateEvalOutputs, EvalOutputSchema, type EvalOutput } from '../../../lib/eval/outputs.ts';
import { computeStamp } from '../../../lib/eval/stamp.ts';

/**
 * Evaluation results for runs of a recipe that has no evaluate stage (files-demo), so the
 * compare and trajectory pages have something to show. Written the way the evaluate stage
 * records them: validated `EvalOutput` rows, one outputs artifact per (method, dataset)
 * (`publishGroupedOutputs`), aggregated and recorded by the real `recordEvalResults`.
 */
const QUESTIONS = [
  { id: 'q1', question: 'Where was the founder of Acme Corp born?', gold: ['Lyon'] },
  { id: 'q2', question: 'Which river flows through the capital of Norland?', gold: ['Vell River', 'Vell'] },
  { id: 'q3', question: 'Who directed the film that won Best Picture in 1999?', gold: ['Ada Brenn'] },
  { id: 'q4', question: 'Is Mount Korr taller than Mount Essel?', gold: ['yes'] },
];
const DATASETS = ['nq', 'hotpotqa'];
const METHOD = 'ppo';

function response(question: (typeof QUESTIONS)[number], answer: string, isMultiQuery: boolean): string {
  const queries = isMultiQuery ? `${question.question} | ${question.gold[0]} birthplace` : question.question;
  return [
    `<think>I need to find facts to answer: ${question.question}</think>`,
    `<search>${queries}</search>`,
    `\n<information>\nDoc 1: ${question.gold[0]}   ${question.gold[0]} is mentioned as the answer entity.\nDoc 2: Other   Unrelated passage.\n</information>\n`,
    `<think>The documents point to ${answer}.</think>`,
    `<answer>${answer}</answer>`,
  ].join('\n');
}

function outputsOf(skill: number): EvalOutput[] {
  return DATASETS.flatMap((dataset) => QUESTIONS.map((question, index) => {
    const isCorrect = index / QUESTIONS.length < skill;
    const answer = isCorrect ? (question.gold[0] ?? '') : 'Unknown Place';
    return EvalOutputSchema.parse({
      method: METHOD,
      dataset,
      id: question.id,
      question: question.question,
      goldAnswers: question.gold,
      prediction: answer,
      em: isCorrect ? 1 : 0,
      f1: isCorrect ? 1 : 0.2,
      seconds: 0.4 + skill,
      retrievals: 1,
      finishReason: 'answer',
      turns: [{ action: 'search', queries: [question.question], docIds: [['d1', 'd2']] }, { action: 'answer' }],
      response: response(question, answer, skill > 0.5),
    });
  }));
}

/** Seeds two datasets of `ppo` results per run; `skill` in [0,1] sets how many it gets right. */
export async function seedEvalResults(
  db: PrismaClient,
  store: ArtifactStore,
  runs: Array<{ runId: string; skill: number; scheduleId?: string; topK?: number }>,
): Promise<void> {
  for (const run of runs) {
    const outputs = outputsOf(run.skill);
    const outputsArtifact = await publishGroupedOutputs(store, outputs, { producer: 'e2e-fixture', runId: run.runId });
    const stamp = computeStamp({
      corpusSha: 'e2e-corpus', indexSha: 'e2e-index', retriever: 'bm25(k1=1.5,b=0.75)', topK: run.topK ?? 3,
      modelSha: 'e2e-model', promptTemplateHash: 'e2e-template', decoding: { temperature: 0 },
    });
    await recordEvalResults(db, {
      runId: run.runId,
      scheduleId: run.scheduleId ?? null,
      rows: aggregateEvalOutputs(outputs),
      normalize: 'rag-r1',
      methods: { [METHOD]: { checkpoint: `${run.runId}-checkpoint`, stamp } },
      outputsArtifact,
    });
  }
}
