import { beforeAll, describe, expect, it } from 'vitest';
import { renderSqObservation } from '../agent/observation.ts';
import { buildPrompt } from '../agent/prompts.ts';
import { APPROXIMATE_TOKEN_COUNTER } from '../agent/token-counter.ts';
import type { GenerateRequest } from '../llm/backend.ts';
import type { Passage } from '../retrieval/types.ts';
import { generateWorld, type World } from '../world/generate.ts';
import { RELATIONS, renderSentence } from '../world/relations.ts';
import type { Entity, Fact } from '../world/schema.ts';
import { createSimulatedTeacher, type SimulatedTeacherOptions } from './index.ts';

let world: World;
beforeAll(() => {
  world = generateWorld({ seed: 11, passages: 1500 });
});

const request = (question: string, prefix: string, seed = 0): GenerateRequest => ({
  messages: [{ role: 'user', content: buildPrompt({ question, mode: 'sq' }) }],
  assistantPrefix: prefix,
  sampling: { temperature: 0.7, topP: 0.95, maxTokens: 500, stop: [], seed },
});

const observation = (passages: Passage[]): string =>
  renderSqObservation(
    passages.map((document) => ({ document, score: 1 })),
    APPROXIMATE_TOKEN_COUNTER,
    null,
  );

/** A single-hop, forward question and its fact. */
function singleHop(): { question: string; fact: Fact; subject: Entity } {
  for (const item of world.qa.popqa) {
    const plan = world.graph.questions[item.question];
    const step = plan?.steps[0];
    if (!plan || plan.steps.length !== 1 || !step || step.inverse) continue;
    const fact = world.graph.facts[step.fact] as Fact;
    return { question: item.question, fact, subject: world.graph.entities[fact.subject]! };
  }
  throw new Error('no single-hop forward question');
}

const errorFree: SimulatedTeacherOptions = {
  errorScale: 0,
  misconceptionRate: 0,
};

describe('simulated teacher think styles', () => {
  it('quote (default): quotes the sentence it read exactly as the document has it, then concludes', async () => {
    const { question, fact } = singleHop();
    const passage = world.corpus.find(
      (p) => p.id === world.graph.support[world.graph.facts.indexOf(fact)]![0],
    )!;
    const teacher = createSimulatedTeacher(world.graph, errorFree);
    const first = await teacher.generate(request(question, ''));
    const prefix = first.text + observation([passage]);
    const quoted = (await teacher.generate(request(question, prefix))).text;
    const match =
      /^<think>The documents say: (.+?\.) That means (.+?)\. So the answer is (.+?)\.<\/think>\n<answer> (.+) <\/answer>$/.exec(
        quoted,
      );
    expect(match, quoted).not.toBeNull();
    const [, sentence, conclusion, , answer] = match!;
    expect(passage.contents).toContain(sentence!);
    expect(sentence).toContain(fact.object);
    expect(conclusion!.endsWith(` is ${fact.object}`)).toBe(true);
    expect(answer).toBe(fact.object);

    const plain = createSimulatedTeacher(world.graph, { ...errorFree, thinkStyle: 'plain' });
    const stated = (await plain.generate(request(question, prefix))).text;
    expect(stated).toBe(
      `<think>The documents say that ${conclusion}. So the answer is ${fact.object}.</think>\n<answer> ${fact.object} </answer>`,
    );
  });

  it('a misread quotes the sentence it misread; a memory answer quotes nothing', async () => {
    const { question, fact, subject } = singleHop();
    const other = world.graph.facts.find(
      (f) => f.relation === fact.relation && f.subject !== fact.subject && f.object !== fact.object,
    )!;
    const template = RELATIONS[fact.relation].sentences[0]!;
    const right = renderSentence(template, subject, fact.object);
    const wrong = renderSentence(template, world.graph.entities[other.subject]!, other.object);
    const passage: Passage = { id: 'x', contents: `"${subject.name}"\n${right} ${wrong}` };
    const misreader = createSimulatedTeacher(world.graph, {
      ...errorFree,
      errorScale: 1,
      memoryAnswerRate: 0,
      stopEarlyRate: 0,
      weakQueryRate: 0,
      misreadRate: 1,
    });
    const texts: string[] = [];
    for (let seed = 0; seed < 5; seed += 1) {
      const first = await misreader.generate(request(question, '', seed));
      texts.push(
        (await misreader.generate(request(question, first.text + observation([passage]), seed)))
          .text,
      );
    }
    const misread = texts.find((t) => t.includes(`<answer> ${other.object} </answer>`));
    expect(misread, texts.join('\n')).toContain(`The documents say: ${wrong} That means`);

    const rememberer = createSimulatedTeacher(world.graph, { memoryAnswerRate: 1 });
    const memory = (await rememberer.generate(request(question, ''))).text;
    expect(memory).toMatch(
      /^<think>I already know this: I recall that [^:]+\. I will answer without searching\.<\/think>/,
    );
  });
});
