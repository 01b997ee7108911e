import { describe, expect, it } from 'vitest';
import { buildComparison, type CompareResultInput } from './compare.ts';
import { computeStamp, diffStamps } from './stamp.ts';
import { aggregateEvalOutputs, type EvalOutput } from './outputs.ts';

const STAMP_INPUT = {
  corpusSha: 'c',
  indexSha: 'i',
  retriever: 'bm25',
  topK: 3,
  modelSha: 'm',
  promptTemplateHash: 'p',
  decoding: { temperature: 0 },
};

function result(
  runId: string,
  dataset: string,
  em: number[],
  stamp = computeStamp(STAMP_INPUT),
): CompareResultInput {
  const mean = em.reduce((s, v) => s + v, 0) / em.length;
  return {
    runId,
    method: 'ppo',
    dataset,
    n: em.length,
    em: mean,
    f1: mean,
    meanSeconds: 1,
    meanRetrievals: 2,
    stamp,
    questionIds: em.map((_, i) => `q${i}`),
    questionEm: em,
    questionF1: em,
  };
}

describe('buildComparison', () => {
  it('compares a run with itself: zero deltas, intervals around zero, no warnings, empty diff', () => {
    const rows = [result('r1', 'nq', [1, 0, 1, 1, 0]), result('r1', 'popqa', [0, 0, 1, 0, 1])];
    const config = { agent: { mode: 'mq' } };
    const comparison = buildComparison(
      [
        { id: 'r1', config },
        { id: 'r1', config },
      ],
      rows,
    );
    for (const row of comparison.rows) {
      expect(row.deltas[1]).toMatchObject({
        delta: 0,
        low: 0,
        high: 0,
        pValue: 1,
        pHolm: 1,
        significant: false,
      });
    }
    expect(comparison.averages[0]?.deltas[1]).toMatchObject({ delta: 0, low: 0, high: 0 });
    expect(comparison.stampWarnings).toEqual([]);
    expect(comparison.configDiffs).toEqual([{ runId: 'r1', differences: [] }]);
  });

  it('pairs on shared questions, applies Holm across datasets and warns on differing stamps', () => {
    const other = computeStamp({ ...STAMP_INPUT, topK: 5 });
    const base = [
      result('a', 'nq', Array(200).fill(0)),
      result(
        'a',
        'popqa',
        Array(200)
          .fill(0)
          .map((_, i) => i % 2),
      ),
    ];
    const better = [
      result(
        'b',
        'nq',
        Array(200)
          .fill(0)
          .map((_, i) => (i < 120 ? 1 : 0)),
        other,
      ),
      result(
        'b',
        'popqa',
        Array(200)
          .fill(0)
          .map((_, i) => i % 2),
      ),
    ];
    better[0]!.questionIds[199] = 'extra';
    const comparison = buildComparison(
      [
        { id: 'a', config: { k: 3 } },
        { id: 'b', config: { k: 5 } },
      ],
      [...base, ...better],
    );
    const nq = comparison.rows.find((row) => row.dataset === 'nq')!.deltas[1]!;
    expect(nq.n).toBe(199);
    expect(nq.delta).toBeCloseTo(120 / 199, 12);
    expect(nq.significant).toBe(true);
    expect(nq.pHolm).toBeGreaterThanOrEqual(nq.pValue);
    const popqa = comparison.rows.find((row) => row.dataset === 'popqa')!.deltas[1]!;
    expect(popqa.delta).toBe(0);
    expect(popqa.significant).toBe(false);
    expect(comparison.averages[0]?.deltas[1]?.delta).toBeCloseTo(120 / 199 / 2, 12);
    expect(comparison.stampWarnings).toHaveLength(1);
    expect(comparison.stampWarnings[0]?.fields).toEqual(['topK']);
    expect(comparison.stampWarnings[0]?.message).toContain('ppo/nq');
    expect(comparison.configDiffs[0]?.differences).toEqual([{ path: 'k', left: 3, right: 5 }]);
  });
});

describe('stamps', () => {
  it('hash equal inputs equally and name the differing field', () => {
    expect(computeStamp(STAMP_INPUT)).toEqual(computeStamp({ ...STAMP_INPUT }));
    const changed = computeStamp({ ...STAMP_INPUT, decoding: { temperature: 0.7 } });
    expect(changed.hash).not.toBe(computeStamp(STAMP_INPUT).hash);
    expect(diffStamps(computeStamp(STAMP_INPUT), changed)).toEqual(['decoding']);
    expect(diffStamps({}, changed)).toHaveLength(7);
  });
});

describe('aggregateEvalOutputs', () => {
  it('aggregates shards per method and dataset, counting a repeated question once', () => {
    const row = (id: string, em: number, overrides: Partial<EvalOutput> = {}): EvalOutput => ({
      method: 'ppo',
      dataset: 'nq',
      id,
      question: '?',
      goldAnswers: ['x'],
      prediction: 'x',
      em,
      f1: em,
      seconds: 2,
      retrievals: 1,
      finishReason: 'answer',
      turns: [],
      response: '',
      ...overrides,
    });
    const rows = aggregateEvalOutputs([
      row('b', 1),
      row('a', 0, { seconds: 4, retrievals: 3 }),
      row('b', 0),
      row('c', 1, { method: 'naive' }),
    ]);
    expect(rows).toEqual([
      {
        method: 'naive',
        dataset: 'nq',
        n: 1,
        em: 1,
        f1: 1,
        meanSeconds: 2,
        meanRetrievals: 1,
        questionIds: ['c'],
        questionEm: [1],
        questionF1: [1],
      },
      {
        method: 'ppo',
        dataset: 'nq',
        n: 2,
        em: 0,
        f1: 0,
        meanSeconds: 3,
        meanRetrievals: 2,
        questionIds: ['a', 'b'],
        questionEm: [0, 0],
        questionF1: [0, 0],
      },
    ]);
  });
});
