import { describe, expect, it } from 'vitest';
import { pairedBootstrap, quantileSorted, stratifiedPairedBootstrap } from './bootstrap.ts';
import { diffConfigs } from './config-diff.ts';
import { holmAdjust } from './holm.ts';
import { createSeededRandom } from '../random.ts';

describe('pairedBootstrap', () => {
  it('gives zero delta, a zero-width interval around zero and p = 1 for a system against itself', () => {
    const scores = [1, 0, 1, 1, 0, 0, 1, 0, 1, 1];
    const result = pairedBootstrap(scores, scores, { seed: 3 });
    expect(result).toEqual({ delta: 0, low: 0, high: 0, pValue: 1, n: 10 });
  });

  it('gives a point interval at the difference when every pair differs by the same amount', () => {
    const a = [0.1, 0.5, 0.2, 0.9];
    const result = pairedBootstrap(
      a,
      a.map((value) => value + 0.25),
    );
    expect(result.delta).toBeCloseTo(0.25, 12);
    expect(result.low).toBeCloseTo(0.25, 12);
    expect(result.high).toBeCloseTo(0.25, 12);
    expect(result.pValue).toBe(0);
  });

  it('matches the normal-theory interval of a mean difference on a large sample', () => {
    // 1000 pairs: 300 where b wins (+1), 100 where a wins (-1), 600 ties. Mean 0.2,
    // sd = sqrt(0.4 - 0.04) = 0.6, se = 0.6 / sqrt(1000) = 0.01897, 95% half-width 0.0372.
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < 1000; i += 1) {
      if (i < 300) {
        a.push(0);
        b.push(1);
      } else if (i < 400) {
        a.push(1);
        b.push(0);
      } else {
        a.push(i % 2);
        b.push(i % 2);
      }
    }
    const result = pairedBootstrap(a, b, { resamples: 4000, seed: 11 });
    expect(result.delta).toBeCloseTo(0.2, 12);
    expect(result.low).toBeGreaterThan(0.2 - 0.0372 - 0.005);
    expect(result.low).toBeLessThan(0.2 - 0.0372 + 0.005);
    expect(result.high).toBeGreaterThan(0.2 + 0.0372 - 0.005);
    expect(result.high).toBeLessThan(0.2 + 0.0372 + 0.005);
    expect(result.pValue).toBeLessThan(0.001);
  });

  it('finds no significance for a tiny difference on few questions', () => {
    const a = [1, 0, 1, 0, 1, 0, 1, 0];
    const b = [1, 0, 1, 0, 1, 0, 0, 1];
    const result = pairedBootstrap(a, b, { seed: 5 });
    expect(result.delta).toBe(0);
    expect(result.low).toBeLessThan(0);
    expect(result.high).toBeGreaterThan(0);
    expect(result.pValue).toBeGreaterThan(0.5);
  });

  it('is reproducible from its seed and refuses misaligned pairs', () => {
    const a = [0.13, 0.92, 0.41, 0.07, 0.66, 0.35, 0.28, 0.81, 0.54, 0.99];
    const b = [0.51, 0.22, 0.47, 0.88, 0.19, 0.73, 0.05, 0.64, 0.31, 0.42];
    expect(pairedBootstrap(a, b, { seed: 9 })).toEqual(pairedBootstrap(a, b, { seed: 9 }));
    expect(pairedBootstrap(a, b, { seed: 9 }).low).not.toBe(
      pairedBootstrap(a, b, { seed: 10 }).low,
    );
    expect(() => pairedBootstrap([1], [1, 0])).toThrow(/align/);
  });
});

describe('stratifiedPairedBootstrap', () => {
  it('averages per-stratum mean differences, not pooled ones', () => {
    const strata = [
      { a: [0, 0, 0, 0], b: [1, 1, 1, 1] },
      { a: [1, 1], b: [1, 1] },
    ];
    const result = stratifiedPairedBootstrap(strata);
    expect(result.delta).toBeCloseTo(0.5, 12);
    expect(result.low).toBeCloseTo(0.5, 12);
    expect(result.high).toBeCloseTo(0.5, 12);
    expect(result.n).toBe(6);
  });
});

describe('holmAdjust', () => {
  it('matches the textbook step-down values', () => {
    // Sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04 -> running max.
    const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    expect(adjusted[0]).toBeCloseTo(0.03, 12);
    expect(adjusted[1]).toBeCloseTo(0.06, 12);
    expect(adjusted[2]).toBeCloseTo(0.06, 12);
    expect(adjusted[3]).toBeCloseTo(0.02, 12);
    expect(holmAdjust([0.5, 0.9])).toEqual([1, 1]);
    expect(holmAdjust([])).toEqual([]);
  });
});

describe('quantileSorted and the seeded random source', () => {
  it('interpolates linearly and replays sequences from a seed', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
    const first = createSeededRandom(42);
    const second = createSeededRandom(42);
    const values = Array.from({ length: 5 }, () => first());
    expect(values).toEqual(Array.from({ length: 5 }, () => second()));
    expect(values.every((value) => value >= 0 && value < 1)).toBe(true);
  });
});

describe('diffConfigs', () => {
  it('names differing leaves by dotted path, including added and removed ones', () => {
    const left = { name: 'a', agent: { mode: 'mq', maxTurns: 5 }, evaluate: { datasets: ['nq'] } };
    const right = {
      name: 'a',
      agent: { mode: 'sq', maxTurns: 5 },
      evaluate: { datasets: ['nq', 'popqa'] },
      extra: 1,
    };
    expect(diffConfigs(left, right)).toEqual([
      { path: 'agent.mode', left: 'mq', right: 'sq' },
      { path: 'evaluate.datasets', left: ['nq'], right: ['nq', 'popqa'] },
      { path: 'extra', left: undefined, right: 1 },
    ]);
    expect(diffConfigs(left, structuredClone(left))).toEqual([]);
  });
});
