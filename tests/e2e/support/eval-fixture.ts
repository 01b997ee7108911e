import type { PrismaClient } from '../../../infra/db/client.ts';
import type { ArtifactStore } from '../../../infra/s3/artifact-store.ts';

/**
 * Evaluation rows for runs of a recipe that has no evaluate stage (files-demo), so the compare
 * and trajectory pages have per-dataset results and per-question outputs to show. Written the
 * way the evaluate stage writes them: an outputs jsonl artifact plus one EvalResult per dataset.
 */
const QUESTIONS = [
  { id: 'q1', question: 'Where was the founder of Acme Corp born?', gold: ['Lyon'] },
  { id: 'q2', question: 'Which river flows through the capital of Norland?', gold: ['Vell River', 'Vell'] },
  { id: 'q3', question: 'Who directed the film that won Best Picture in 1999?', gold: ['Ada Brenn'] },
  { id: 'q4', question: 'Is Mount Korr taller than Mount Essel?', gold: ['yes'] },
];

function response(question: (typeof QUESTIONS)[number], answer: string, isMultiQuery: boolean): string {
  const queries = isMultiQuery ? `${question.question} | ${question.gold[0]} birthplace` : question.question;
  return [
    `<think>I need to find facts to answer: ${question.question}</think>`,
    `<search>${queries}</search>`,
    `<information>Doc 1 (Title: ${question.gold[0]}) ${question.gold[0]} is mentioned as the answer entity.\nDoc 2 (Title: Other) Unrelated passage.</information>`,
    `<think>The documents point to ${answer}.</think>`,
    `<answer>${answer}</answer>`,
  ].join('\n');
}

/** Seeds two datasets of results for each run; `skill` in [0,1] sets how many it gets right. */
export async function seedEvalResults(
  db: PrismaClient,
  store: ArtifactStore,
  runs: Array<{ runId: string; skill: number; scheduleId?: string }>,
): Promise<void> {
  for (const run of runs) {
    for (const dataset of ['nq', 'hotpotqa']) {
      const records = QUESTIONS.map((question, index) => {
        const isCorrect = index / QUESTIONS.length < run.skill;
        const answer = isCorrect ? (question.gold[0] ?? '') : 'Unknown Place';
        return {
          id: question.id,
          question: question.question,
          golden_answers: question.gold,
          prediction: answer,
          em: isCorrect ? 1 : 0,
          f1: isCorrect ? 1 : 0.2,
          trajectory: { segments: [{ kind: 'model', text: response(question, answer, run.skill > 0.5) }] },
        };
      });
      const body = `${records.map((record) => JSON.stringify(record)).join('\n')}\n`;
      const ref = await store.putBytes(body, { kind: 'eval-outputs', mediaType: 'application/jsonl', producer: 'e2e-fixture', runId: run.runId });
      const em = records.reduce((sum, record) => sum + record.em, 0) / records.length;
      const f1 = records.reduce((sum, record) => sum + record.f1, 0) / records.length;
      await db.evalResult.create({
        data: {
          runId: run.runId, scheduleId: run.scheduleId ?? null, checkpoint: `${run.runId}/final`, dataset, method: 'policy',
          normalize: 'squad', n: records.length, em, f1, meanSeconds: 0.4 + run.skill, meanRetrievals: 1 + run.skill,
          stamp: { fixture: true }, outputsArtifact: ref.sha256,
        },
      });
    }
  }
}
