import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../random.ts';
import { curate, judgeCandidate, type RolloutOutcome } from './filter-rule.ts';

const right: RolloutOutcome = { correct: true, finishReason: 'answer' };
const wrong: RolloutOutcome = { correct: false, finishReason: 'answer' };
const exhausted: RolloutOutcome = { correct: false, finishReason: 'max_turns' };
const invalid: RolloutOutcome = { correct: false, finishReason: 'invalid' };

describe('judgeCandidate', () => {
  it('keeps a question solved by at least one rollout', () => {
    expect(judgeCandidate([wrong, wrong, right])).toBe('hard-answerable');
  });
  it('names why an unsolved question is dropped', () => {
    expect(judgeCandidate([wrong, exhausted])).toBe('never-solved');
    expect(judgeCandidate([exhausted, exhausted])).toBe('retrieval-budget-exhausted');
    expect(judgeCandidate([invalid, exhausted])).toBe('format-failure');
  });
});

describe('curate', () => {
  const candidates = new Map<string, RolloutOutcome[]>([
    ['hard1', [wrong, right]],
    ['hard2', [right]],
    ['never', [wrong, wrong]],
  ]);
  const correctIds = Array.from({ length: 40 }, (_, index) => `c${index}`);

  it('keeps the hard-but-answerable ones plus 25% of the correct ones', () => {
    const curation = curate(candidates, correctIds, { correctShare: 0.25, valShare: 0, seed: 1 });
    const sampled = correctIds.filter((id) => curation.decisions.get(id) === 'correct-sampled');
    expect(sampled).toHaveLength(10);
    expect(curation.decisions.get('never')).toBe('never-solved');
    expect(new Set(curation.train)).toEqual(new Set(['hard1', 'hard2', ...sampled]));
  });

  it('is reproducible per seed and different across seeds', () => {
    const options = { correctShare: 0.25, valShare: 0.1, seed: 5 };
    const first = curate(candidates, correctIds, options);
    const again = curate(candidates, correctIds, options);
    const other = curate(candidates, correctIds, { ...options, seed: 6 });
    expect(again.train).toEqual(first.train);
    expect(first.val).toHaveLength(1);
    expect(other.train).not.toEqual(first.train);
  });

  it('draws uniform numbers in [0, 1)', () => {
    const random = createSeededRandom(3);
    const draws = Array.from({ length: 1000 }, random);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    expect(draws.reduce((sum, value) => sum + value, 0) / 1000).toBeGreaterThan(0.45);
  });
});
