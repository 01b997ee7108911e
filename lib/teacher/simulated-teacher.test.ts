import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBm25Index } from '../../retriever/bm25-builder.ts';
import { createBm25Retriever, type Bm25Retriever } from '../../retriever/bm25-retriever.ts';
import { RolloutConfigSchema } from '../agent/config.ts';
import { buildPrompt } from '../agent/prompts.ts';
import { runRollout } from '../agent/rollout.ts';
import type { GenerateRequest, LlmBackend } from '../llm/backend.ts';
import { exactMatch } from '../qa/score.ts';
import { DATASET_NAMES, type QaItem } from '../qa/types.ts';
import { generateWorld, type World } from '../world/generate.ts';
import { parseTeacherContext } from './context.ts';
import { createSimulatedTeacher, type SimulatedTeacherOptions } from './index.ts';

let world: World;
let dir: string;
let retriever: Bm25Retriever;

beforeAll(async () => {
  world = generateWorld({ seed: 11, passages: 1500 });
  dir = mkdtempSync(join(tmpdir(), 'teacher-test-'));
  await buildBm25Index({ passages: world.corpus, out: join(dir, 'index.bin') });
  retriever = createBm25Retriever({ indexPath: join(dir, 'index.bin'), threads: 0 });
});
afterAll(async () => {
  await retriever.close();
  rmSync(dir, { recursive: true, force: true });
});

const request = (question: string, mode: 'sq' | 'mq', prefix = '', seed = 0): GenerateRequest => ({
  messages: [{ role: 'user', content: buildPrompt({ question, mode }) }],
  assistantPrefix: prefix,
  sampling: {
    temperature: 0.7,
    topP: 0.95,
    maxTokens: 500,
    stop: ['</search>', '</answer>'],
    seed,
  },
});

interface Run {
  em: number;
  rc: number;
  multiHopRc: number;
  wrong: QaItem[];
  /** Per item: the answer and the retrieval count. */
  outcomes: string[];
}

async function evaluate(
  backend: LlmBackend,
  mode: 'sq' | 'mq',
  items: QaItem[],
  temperature = 0.7,
  seed = 0,
): Promise<Run> {
  const config = RolloutConfigSchema.parse({ temperature, seed });
  let em = 0;
  let rc = 0;
  let multi = 0;
  let multiN = 0;
  const wrong: QaItem[] = [];
  const outcomes: string[] = [];
  for (const item of items) {
    const trajectory = await runRollout({ question: item, mode, backend, retriever, config });
    const correct = exactMatch(trajectory.answer ?? '', item.golden_answers);
    em += correct;
    if (!correct) wrong.push(item);
    rc += trajectory.retrievalCount;
    outcomes.push(`${trajectory.answer ?? ''}|${trajectory.retrievalCount}`);
    if ((item.metadata.hops as number) > 1) {
      multi += trajectory.retrievalCount;
      multiN += 1;
    }
  }
  return {
    em: em / items.length,
    rc: rc / items.length,
    multiHopRc: multi / Math.max(1, multiN),
    wrong,
    outcomes,
  };
}

const testItems = (): QaItem[] => DATASET_NAMES.flatMap((name) => world.qa[name]);

describe('parseTeacherContext', () => {
  it('reads sq Doc lines and mq JSON blocks, with their queries', () => {
    const sq =
      '<think>x</think>\n<search>a query</search>\n<information>\nDoc 1: "T1"\nText one.\nDoc 2: "T2"\nText two.\n</information>\n';
    const parsed = parseTeacherContext(request('Q?', 'sq', sq));
    expect(parsed.mode).toBe('sq');
    expect(parsed.rounds[0]?.queries).toEqual(['a query']);
    expect(parsed.rounds[0]?.docsPerQuery[0]).toEqual([
      { title: 'T1', text: 'Text one.' },
      { title: 'T2', text: 'Text two.' },
    ]);
    const json = JSON.stringify(
      { query: ['q1', 'q2'], documents: ['Doc 1: "A"\nAa.', 'Doc 1: "B"\nBb.'] },
      null,
      2,
    );
    const mq = parseTeacherContext(
      request('Q?', 'mq', `<search>q1, q2</search>\n<information>\n${json}\n</information>\n`),
    );
    expect(mq.mode).toBe('mq');
    expect(mq.question).toBe('Q?');
    expect(mq.rounds[0]?.docsPerQuery.map((docs) => docs[0]?.title)).toEqual(['A', 'B']);
  });
});

describe('createSimulatedTeacher', () => {
  const perfect: SimulatedTeacherOptions = { errorScale: 0, misconceptionRate: 0 };

  it('is deterministic per request and seed, and varies with sampling.seed', async () => {
    const teacher = createSimulatedTeacher(world.graph);
    const items = world.qa.hotpotqa.slice(0, 30);
    const texts = async (seed: number): Promise<string[]> =>
      Promise.all(
        items.map(
          async (item) => (await teacher.generate(request(item.question, 'mq', '', seed))).text,
        ),
      );
    expect(await texts(1)).toEqual(await texts(1));
    expect(await texts(1)).not.toEqual(await texts(2));
  });

  it('answers from the documents in the context, not from the graph', async () => {
    const teacher = createSimulatedTeacher(world.graph, perfect);
    const item = world.qa.popqa.find((i) => i.metadata.type === 'single_hop')!;
    const plan = world.graph.questions[item.question]!;
    const first = await teacher.generate(request(item.question, 'sq'));
    expect(first.text).toMatch(/^<think>[\s\S]+<\/think>\n<search>[^<]+<\/search>$/);
    const fact = world.graph.facts[plan.steps[0]!.fact]!;
    const subject =
      world.graph.entities[plan.steps[0]!.inverse ? fact.objectEntity! : fact.subject]!.name;
    const fake =
      plan.steps[0]!.relation === 'birth_year'
        ? `The birth year of ${subject} is 1234.`
        : undefined;
    if (fake) {
      const prefix = `${first.text}\n<information>\nDoc 1: "${subject}"\n${fake}\n</information>\n`;
      expect((await teacher.generate(request(item.question, 'sq', prefix))).text).toContain(
        '<answer>1234</answer>',
      );
    }
    const empty = `${first.text}\n<information>\nDoc 1: "Nothing"\nNo facts here.\n</information>\n`;
    expect((await teacher.generate(request(item.question, 'sq', empty))).text).toMatch(/<search>/);
  });

  it('with errors off it answers nearly everything through the rollout engine', async () => {
    const run = await evaluate(createSimulatedTeacher(world.graph, perfect), 'sq', testItems());
    expect(run.em).toBeGreaterThan(0.93);
  });

  it('reaches a plausible accuracy in both modes and searches less in mq on multi-hop questions', async () => {
    const teacher = createSimulatedTeacher(world.graph);
    const sq = await evaluate(teacher, 'sq', testItems());
    const mq = await evaluate(teacher, 'mq', testItems());
    console.log(
      `teacher seed=11 sq em=${sq.em.toFixed(3)} multiHopRc=${sq.multiHopRc.toFixed(2)}; mq em=${mq.em.toFixed(3)} multiHopRc=${mq.multiHopRc.toFixed(2)}`,
    );
    for (const run of [sq, mq]) {
      expect(run.em).toBeGreaterThan(0.6);
      expect(run.em).toBeLessThan(0.85 + 0.03);
    }
    expect(mq.multiHopRc).toBeLessThan(sq.multiHopRc - 0.2);
  });

  it('quoting evidence changes no decision: per dataset, the same answers and retrievals as plain', async () => {
    const quote = createSimulatedTeacher(world.graph, { thinkStyle: 'quote' });
    const plain = createSimulatedTeacher(world.graph, { thinkStyle: 'plain' });
    const lines: string[] = [];
    for (const mode of ['sq', 'mq'] as const) {
      for (const name of DATASET_NAMES) {
        const quoted = await evaluate(quote, mode, world.qa[name]);
        const stated = await evaluate(plain, mode, world.qa[name]);
        expect(quoted.outcomes).toEqual(stated.outcomes);
        lines.push(`${mode}/${name} em=${quoted.em.toFixed(3)} rc=${quoted.rc.toFixed(2)}`);
      }
    }
    console.log(`teacher seed=11 per dataset, quote = plain: ${lines.join('; ')}`);
  });

  it('errorScale lowers accuracy (the accuracy knob)', async () => {
    const items = world.qa.hotpotqa.concat(world.qa.musique);
    const normal = await evaluate(createSimulatedTeacher(world.graph), 'sq', items);
    const harsh = await evaluate(
      createSimulatedTeacher(world.graph, { errorScale: 2.5 }),
      'sq',
      items,
    );
    expect(harsh.em).toBeLessThan(normal.em - 0.1);
  });

  it('leaves the filter real work: some wrong questions are solved at T=1.2 in 10 tries, some never', async () => {
    const teacher = createSimulatedTeacher(world.graph);
    const { wrong } = await evaluate(teacher, 'sq', world.train.slice(0, 300));
    let solved = 0;
    for (const item of wrong) {
      for (let attempt = 1; attempt <= 10; attempt += 1) {
        const retry = await evaluate(teacher, 'sq', [item], 1.2, attempt);
        if (retry.em === 1) {
          solved += 1;
          break;
        }
      }
    }
    console.log(`filter: ${wrong.length} wrong of 300, ${solved} solved within 10 tries at T=1.2`);
    expect(wrong.length).toBeGreaterThan(20);
    expect(solved).toBeGreaterThan(wrong.length * 0.3);
    expect(solved).toBeLessThan(wrong.length);
  });
});
