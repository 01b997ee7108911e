import { describe, expect, it } from 'vitest';
import { curateByPassRate, judgePassRate, selectProbeQuestions } from './probe-rule.ts';

describe('judgePassRate', () => {
  it('places a question by the share of its rollouts that were right', () => {
    expect(judgePassRate(0)).toBe('never-solved');
    expect(judgePassRate(0.25)).toBe('sometimes-solved');
    expect(judgePassRate(0.75)).toBe('sometimes-solved');
    expect(judgePassRate(1)).toBe('always-solved');
  });
});

describe('selectProbeQuestions', () => {
  const ids = Array.from({ length: 50 }, (_, index) => `q${index}`);

  it('draws a seeded sample of the asked size, whatever the order of the ids', () => {
    const sample = selectProbeQuestions(ids, 10, 3);
    expect(sample).toHaveLength(10);
    expect(new Set(sample).size).toBe(10);
    expect(selectProbeQuestions([...ids].reverse(), 10, 3)).toEqual(sample);
    expect(selectProbeQuestions(ids, 10, 4)).not.toEqual(sample);
    expect(selectProbeQuestions(ids, 80, 3)).toEqual([...ids].sort());
  });
});

describe('curateByPassRate', () => {
  const always = Array.from({ length: 40 }, (_, index) => `a${index}`);
  const passRates = new Map<string, number>([
    ['half', 0.5],
    ['quarter', 0.25],
    ['never', 0],
    ...always.map((id): [string, number] => [id, 1]),
  ]);
  const ids = [...passRates.keys(), 'unprobed'];

  it('keeps pass rates strictly between 0 and 1, drops 0, and keeps correctShare of 1', () => {
    const curation = curateByPassRate(passRates, ids, { correctShare: 0.25, valShare: 0, seed: 1 });
    const sampled = always.filter((id) => curation.decisions.get(id) === 'always-solved-sampled');
    expect(sampled).toHaveLength(10);
    expect(
      always.filter((id) => curation.decisions.get(id) === 'always-solved-not-sampled'),
    ).toHaveLength(30);
    expect(curation.decisions.get('half')).toBe('sometimes-solved');
    expect(curation.decisions.get('quarter')).toBe('sometimes-solved');
    expect(curation.decisions.get('never')).toBe('never-solved');
    expect(curation.decisions.get('unprobed')).toBe('not-probed');
    expect(curation.decisions.size).toBe(ids.length);
    expect(new Set(curation.train)).toEqual(new Set(['half', 'quarter', ...sampled]));
    expect(curation.val).toEqual([]);
  });

  it('is reproducible per seed and different across seeds', () => {
    const options = { correctShare: 0.25, valShare: 0.1, seed: 5 };
    const first = curateByPassRate(passRates, ids, options);
    const again = curateByPassRate(passRates, [...ids].reverse(), options);
    const other = curateByPassRate(passRates, ids, { ...options, seed: 6 });
    expect(again.train).toEqual(first.train);
    expect(again.val).toEqual(first.val);
    expect(first.val).toHaveLength(1);
    expect(other.train).not.toEqual(first.train);
  });
});
