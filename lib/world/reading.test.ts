import { beforeAll, describe, expect, it } from 'vitest';
import { INFORMATION_CLOSE, INFORMATION_OPEN } from '../agent/observation.ts';
import { parseTeacherContext } from '../teacher/context.ts';
import { generateWorld, type World } from './generate.ts';
import { generateReadingRows, type ReadingRow } from './reading.ts';
import { readRelation } from './reader.ts';
import type { Fact } from './schema.ts';

let world: World;
beforeAll(() => {
  world = generateWorld({ seed: 7, passages: 1500 });
});

const rows = (count: number, seed = 7, mqShare?: number): ReadingRow[] =>
  generateReadingRows({
    graph: world.graph,
    corpus: world.corpus,
    rows: count,
    seed,
    ...(mqShare === undefined ? {} : { mqShare }),
  });

/** The documents of a row's block, read back the way the teacher reads a rollout's context. */
function docsOf(row: ReadingRow): { title: string; text: string }[][] {
  const prefix = `<search> q </search>${row.context}`;
  const request = {
    messages: [{ role: 'user' as const, content: 'Question: q?' }],
    assistantPrefix: prefix,
    sampling: { temperature: 0, topP: 1, maxTokens: 1, stop: [] },
  };
  return parseTeacherContext(request).rounds[0]?.docsPerQuery ?? [];
}

describe('generateReadingRows', () => {
  it('is deterministic, prefix-stable and seed-dependent', () => {
    const many = rows(60);
    expect(rows(60)).toEqual(many);
    expect(rows(20)).toEqual(many.slice(0, 20));
    expect(rows(20, 8).map((r) => r.text)).not.toEqual(many.slice(0, 20).map((r) => r.text));
    expect(rows(0)).toEqual([]);
  });

  it('writes an observation block the policy would see, then a statement ending the text', () => {
    for (const row of rows(200)) {
      expect(row.context.startsWith(INFORMATION_OPEN)).toBe(true);
      expect(row.context.endsWith(INFORMATION_CLOSE)).toBe(true);
      expect(row.text).toBe(row.context + row.statement);
      expect(row.statement).toMatch(/^[A-Z].*\.$/);
      expect(row.statement).toContain(` ${row.answer}`);
      expect(row.question).toMatch(/^[A-Z].*\?$/);
    }
  });

  it('puts a passage stating the fact, read back by the template reader, among distractors', () => {
    const positions = new Set<number>();
    for (const row of rows(300)) {
      const fact = world.graph.facts[row.fact] as Fact;
      const inverse = row.answer !== fact.object;
      const name = world.graph.entities[inverse ? fact.objectEntity! : fact.subject]!.name;
      const groups = docsOf(row);
      expect(groups.flat().length).toBeGreaterThanOrEqual(3);
      const stating = groups.flatMap((docs) =>
        docs
          .map((doc, index) => ({
            index,
            found: readRelation(doc.text, fact.relation, name, inverse),
          }))
          .filter(({ found }) => found.length > 0),
      );
      expect(stating.length).toBeGreaterThan(0);
      for (const { found } of stating) expect(found).toEqual([row.answer]);
      positions.add(stating[0]!.index);
    }
    expect([...positions].sort()).toEqual([0, 1, 2]);
  });

  it('mixes the sq and mq formats, and visits every fact once before repeating one', () => {
    const all = rows(world.graph.facts.length);
    const mq = all.filter((r) => r.context.includes('"documents"')).length;
    expect(mq / all.length).toBeGreaterThan(0.4);
    expect(mq / all.length).toBeLessThan(0.6);
    expect(new Set(all.map((r) => r.fact)).size).toBe(world.graph.facts.length);
    expect(rows(50, 7, 0).every((r) => !r.context.includes('"documents"'))).toBe(true);
    const asked = new Set(
      Object.values(world.graph.questions).flatMap((plan) => plan.steps.map((s) => s.fact)),
    );
    expect(all.some((r) => !asked.has(r.fact))).toBe(true);
  });
});
