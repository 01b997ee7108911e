import { describe, expect, it } from 'vitest';
import type { Trajectory } from '../agent/trajectory.ts';
import { splitAll, splitTrajectory } from './sft-split.ts';

function trajectory(id: string, steps: string[], answer: string | null = 'Paris'): Trajectory {
  const segments: Trajectory['segments'] = [];
  for (const step of steps) {
    segments.push({ kind: 'model', text: step });
    if (step.includes('<search>')) {
      segments.push({ kind: 'env', text: `\n<information>\nDoc 1: about ${id}\n</information>\n` });
    }
  }
  return {
    questionId: id,
    question: `question ${id}?`,
    mode: 'sq',
    prompt: `Answer the question.\nQuestion: question ${id}?\n`,
    segments,
    turns: [],
    answer,
    finishReason: answer === null ? 'max_turns' : 'answer',
    retrievalCount: steps.filter((step) => step.includes('<search>')).length,
    usage: { promptTokens: 0, completionTokens: 0 },
    llmMs: 0,
    retrievalMs: 0,
  };
}

const SEARCH = (query: string) => `<think>need ${query}</think>\n<search> ${query} </search>`;
const ANSWER = '<think>found it</think>\n<answer> Paris </answer>';

describe('splitTrajectory', () => {
  it('gives one class-1 sample for a direct answer', () => {
    const outcome = splitTrajectory(trajectory('q0', [ANSWER]), true);
    expect(outcome.kind === 'samples' && outcome.samples.map((s) => s.class)).toEqual([1]);
  });

  it('gives class 2, k-1 class 4 and one class 3 for k searches, inputs holding documents', () => {
    const outcome = splitTrajectory(
      trajectory('q3', [SEARCH('a'), SEARCH('b'), SEARCH('c'), ANSWER]),
      true,
    );
    if (outcome.kind !== 'samples') throw new Error('expected samples');
    expect(outcome.samples.map((s) => s.class)).toEqual([2, 4, 4, 3]);
    expect(outcome.samples[0]?.context).toBe('');
    expect(outcome.samples[1]?.context).toContain('<information>');
    expect(outcome.samples[3]?.context).toContain(SEARCH('c'));
    expect(outcome.samples[3]?.target).toBe(ANSWER);
    for (const sample of outcome.samples) expect(sample.target).not.toContain('<information>');
  });

  it('skips wrong, unanswered and invalid trajectories with a reason', () => {
    expect(splitTrajectory(trajectory('w', [ANSWER]), false)).toEqual({
      kind: 'skipped',
      reason: 'wrong-answer',
    });
    expect(splitTrajectory(trajectory('n', [SEARCH('a')], null), true)).toEqual({
      kind: 'skipped',
      reason: 'no-answer',
    });
    expect(splitTrajectory(trajectory('i', ['<think>hm</think> no action', ANSWER]), true)).toEqual(
      {
        kind: 'skipped',
        reason: 'invalid-turn',
      },
    );
  });
});

describe('splitAll', () => {
  it('dedups identical samples and counts classes', () => {
    const items = [
      { trajectory: trajectory('a', [SEARCH('x'), ANSWER]), correct: true },
      { trajectory: trajectory('a', [SEARCH('x'), ANSWER]), correct: true },
      { trajectory: trajectory('b', [ANSWER]), correct: false },
    ];
    const { samples, statistics } = splitAll(items, {
      dedup: true,
      classKeep: [1, 1, 1, 1],
      random: () => 0.5,
    });
    expect(samples).toHaveLength(2);
    expect(statistics.duplicates).toBe(2);
    expect(statistics.perClass).toEqual({ 1: 0, 2: 1, 3: 1, 4: 0 });
    expect(statistics.skipped['wrong-answer']).toBe(1);
  });

  it('drops classes whose keep probability is zero', () => {
    const items = [{ trajectory: trajectory('a', [SEARCH('x'), ANSWER]), correct: true }];
    const { samples, statistics } = splitAll(items, {
      dedup: false,
      classKeep: [1, 0, 1, 1],
      random: () => 0.5,
    });
    expect(samples.map((s) => s.class)).toEqual([3]);
    expect(statistics.dropped).toBe(1);
  });
});
