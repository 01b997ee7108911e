import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBm25Index } from '../../retriever/bm25-builder.ts';
import { createBm25Retriever, type Bm25Retriever } from '../../retriever/bm25-retriever.ts';
import { parseQaJsonl, toQaJsonl } from '../qa/jsonl.ts';
import { DATASET_NAMES, type QaItem } from '../qa/types.ts';
import { TeacherKnowledge } from '../teacher/knowledge.ts';
import { generateWorld, type World } from './generate.ts';
import { combineValues, FactIndex, stepEnds } from './plan.ts';
import { readRelation } from './reader.ts';
import type { Fact, PlanStep } from './schema.ts';

const HOPS_BY_TYPE: Record<string, number> = {
  single_hop: 1,
  bridge: 2,
  comparison: 2,
  compositional: 2,
  inference: 2,
  bridge_comparison: 4,
  '2hop': 2,
  '3hop': 3,
  '4hop': 4,
};

let world: World;
let dir: string;
let retriever: Bm25Retriever;
const allItems = (): QaItem[] => [
  ...DATASET_NAMES.flatMap((name) => world.qa[name]),
  ...world.train,
];

beforeAll(async () => {
  world = generateWorld({ seed: 7, passages: 1500 });
  dir = mkdtempSync(join(tmpdir(), 'world-test-'));
  await buildBm25Index({ passages: world.corpus, out: join(dir, 'index.bin') });
  retriever = createBm25Retriever({ indexPath: join(dir, 'index.bin'), threads: 0 });
});
afterAll(async () => {
  await retriever.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('generateWorld', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const again = generateWorld({ seed: 7, passages: 1500 });
    expect(JSON.stringify(again.corpus)).toBe(JSON.stringify(world.corpus));
    expect(toQaJsonl(again.train)).toBe(toQaJsonl(world.train));
    const other = generateWorld({ seed: 8, passages: 1500 });
    expect(other.corpus[0]?.contents).not.toBe(world.corpus[0]?.contents);
  });

  it('writes exactly the requested passages, short, FlashRAG-shaped, from a small vocabulary', () => {
    expect(world.corpus).toHaveLength(1500);
    const words = new Set<string>();
    for (const passage of world.corpus) {
      expect(passage.contents).toMatch(/^"[^"\n]+"\n\S/);
      const tokens = passage.contents.split(/\s+/);
      expect(tokens.length).toBeLessThanOrEqual(70);
      for (const token of tokens) words.add(token.toLowerCase().replace(/[^a-z0-9]/g, ''));
    }
    expect(words.size).toBeLessThan(2500);
  });

  it('makes valid FlashRAG QA sets of the configured sizes for the seven benchmarks', () => {
    for (const name of DATASET_NAMES) {
      const parsed = parseQaJsonl(toQaJsonl(world.qa[name]));
      expect(parsed.errors, name).toEqual([]);
      expect(parsed.items, name).toHaveLength(80);
    }
    expect(world.train).toHaveLength(1500);
    const ids = allItems().map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('supports every answer through the graph with the hop count its type says', () => {
    const index = new FactIndex(world.graph.entities, world.graph.facts);
    for (const item of allItems()) {
      const plan = world.graph.questions[item.question];
      expect(plan, item.question).toBeDefined();
      const type = item.metadata.type as string;
      expect(plan!.steps.length, item.question).toBe(HOPS_BY_TYPE[type]);
      expect(item.metadata.hops).toBe(plan!.steps.length);
      const values: string[] = [];
      plan!.steps.forEach((step: PlanStep, i) => {
        const fact = world.graph.facts[step.fact] as Fact;
        const ends = stepEnds(step, world.graph.facts);
        if ('step' in step.from) {
          const previous = stepEnds(plan!.steps[step.from.step] as PlanStep, world.graph.facts);
          expect(ends.from, `${item.question} hop ${i} is chained`).toBe(previous.to);
        }
        const subject = index.entity(
          step.inverse ? (fact.objectEntity as number) : fact.subject,
        ).name;
        const value = step.inverse ? index.entity(fact.subject).name : fact.object;
        const passages = world.graph.support[step.fact] ?? [];
        expect(passages.length, `${item.question} hop ${i} has a passage`).toBeGreaterThan(0);
        for (const id of passages) {
          const text = world.corpus[Number(id)]?.contents ?? '';
          expect(
            readRelation(text, step.relation, subject, step.inverse),
            `${id} states hop ${i}`,
          ).toContain(value);
        }
        values.push(value);
      });
      expect(combineValues(plan!, values)).toBe(item.golden_answers[0]);
    }
  });

  it("keeps training questions off the test questions' fact chains", () => {
    const key = (item: QaItem): string => JSON.stringify(item.metadata.facts);
    const test = new Set(DATASET_NAMES.flatMap((name) => world.qa[name].map(key)));
    expect(world.train.filter((item) => test.has(key(item)))).toEqual([]);
  });

  it('lets a well-formed query for each hop retrieve a supporting passage in the top 3 (BM25)', async () => {
    const knowledge = new TeacherKnowledge(world.graph, 0);
    const queries: string[] = [];
    const wanted: string[][] = [];
    for (const item of DATASET_NAMES.flatMap((name) => world.qa[name])) {
      const plan = world.graph.questions[item.question]!;
      for (const step of plan.steps) {
        const fact = world.graph.facts[step.fact] as Fact;
        const subject = knowledge.index.entity(
          step.inverse ? (fact.objectEntity as number) : fact.subject,
        ).name;
        queries.push(knowledge.query(step.relation, step.inverse, subject));
        wanted.push(world.graph.support[step.fact] ?? []);
      }
    }
    const hits = await retriever.retrieve(queries, 3);
    const found = hits.filter((list, i) =>
      list.some((hit) => wanted[i]!.includes(hit.document.id)),
    ).length;
    expect(found / queries.length).toBeGreaterThan(0.95);
  });

  it('scales: 20k passages in seconds, same shape', () => {
    const started = performance.now();
    const big = generateWorld({ seed: 3, passages: 20_000, testSize: 20, trainSize: 100 });
    expect(big.corpus).toHaveLength(20_000);
    expect(big.qa.musique).toHaveLength(20);
    expect(performance.now() - started).toBeLessThan(15_000);
  });
});
