import { describe, expect, it } from 'vitest';
import { buildComparison, type CompareResultInput } from './compare.ts';
import { renderComparison } from './render-comparison.ts';
import { computeStamp } from './stamp.ts';

const stamp = (topK: number) =>
  computeStamp({
    corpusSha: 'c',
    indexSha: 'i',
    retriever: 'bm25',
    topK,
    modelSha: 'm',
    promptTemplateHash: 'p',
    decoding: {},
  });
const result = (runId: string, em: number[], topK = 3): CompareResultInput => ({
  runId,
  method: 'ppo',
  dataset: 'nq',
  n: em.length,
  em: em.reduce((s, v) => s + v, 0) / em.length,
  f1: 0.5,
  meanSeconds: 1.5,
  meanRetrievals: 2,
  stamp: stamp(topK),
  questionIds: em.map((_, i) => `q${i}`),
  questionEm: em,
  questionF1: em,
});

describe('renderComparison', () => {
  it('shows the warning, the per-dataset delta with its interval, the average and the config diff', () => {
    const comparison = buildComparison(
      [
        { id: 'base', config: { retrieval: { topK: 3 } } },
        { id: 'new', config: { retrieval: { topK: 5 } } },
      ],
      [result('base', [0, 0, 1, 0]), result('new', [1, 1, 1, 0], 5)],
    );
    const text = renderComparison(comparison);
    expect(text).toMatch(/^WARNING: run new is not comparable with base: different topK/);
    expect(text).toContain('25.0 (n=4)');
    expect(text).toMatch(/75\.0 \(n=4\) \+50\.0 \[\+0\.0, \+100\.0\] p=/);
    expect(text).toContain('average');
    expect(text).toContain('retrieval.topK: 3 -> 5');
  });
});
