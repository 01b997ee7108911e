import { describe, expect, it } from 'vitest';
import { INVALID_ACTION_CORRECTION } from './observation.ts';
import {
  extractAnswer,
  finalAnswer,
  parseAction,
  splitQueries,
  truncateAtAction,
} from './parser.ts';
import { buildPrompt } from './prompts.ts';

describe('truncateAtAction', () => {
  it('drops everything after the first </search>', () => {
    const text = '<think>a</think><search> q </search> tail <answer>x</answer>';
    expect(truncateAtAction(text)).toBe('<think>a</think><search> q </search>');
  });

  it('drops text after the answer when there is no search', () => {
    expect(truncateAtAction('<answer> Paris </answer>\nExplanation: because.')).toBe(
      '<answer> Paris </answer>',
    );
  });

  it('keeps unterminated text whole', () => {
    expect(truncateAtAction('<think>hmm</think><search> open')).toBe(
      '<think>hmm</think><search> open',
    );
  });
});

describe('parseAction', () => {
  it('reads think and a search', () => {
    expect(parseAction('<think> plan </think>\n<search> capital of France </search>')).toEqual({
      kind: 'search',
      think: 'plan',
      content: 'capital of France',
    });
  });

  it('reads an answer across newlines', () => {
    expect(parseAction('<answer>\nParis\n</answer>')).toEqual({ kind: 'answer', content: 'Paris' });
  });

  it('treats an unclosed search tag as invalid', () => {
    expect(parseAction('<think>x</think><search> capital of France')).toEqual({
      kind: 'invalid',
      reason: 'no-action',
      think: 'x',
    });
  });

  it('treats an unclosed answer tag as invalid', () => {
    expect(parseAction('<answer> Paris')).toEqual({ kind: 'invalid', reason: 'no-action' });
  });

  it('treats a search with only blanks and commas as invalid', () => {
    expect(parseAction('<search> , ,  </search>')).toEqual({
      kind: 'invalid',
      reason: 'empty-search',
    });
    expect(parseAction('<search></search>')).toEqual({ kind: 'invalid', reason: 'empty-search' });
  });

  it('takes the first action when several appear', () => {
    expect(parseAction('<answer> a </answer><search> q </search>')).toMatchObject({
      kind: 'answer',
      content: 'a',
    });
  });

  it('reads only the truncated turn', () => {
    expect(parseAction('</search><search> q </search>')).toEqual({
      kind: 'invalid',
      reason: 'no-action',
    });
  });

  it('strips as Python does: U+0085 is whitespace, U+FEFF is not', () => {
    expect(parseAction('<search>\u0085q\u00a0</search>')).toMatchObject({ content: 'q' });
    expect(parseAction('<answer>\ufeffParis </answer>')).toMatchObject({ content: '\ufeffParis' });
  });

  it('does not accept mismatched tags', () => {
    expect(parseAction('<search> q </answer>').kind).toBe('invalid');
  });
});

describe('splitQueries', () => {
  it('sends the whole text as one query in sq mode', () => {
    expect(splitQueries('a, b', { mode: 'sq' }).queries).toEqual(['a, b']);
  });

  it('splits on every comma and drops empty pieces in mq mode', () => {
    expect(splitQueries(' a ,, b ,c, ', { mode: 'mq' }).queries).toEqual(['a', 'b', 'c']);
  });

  it('keeps more than 3 queries by default and reports the overflow', () => {
    const split = splitQueries('a,b,c,d,e', { mode: 'mq' });
    expect(split.queries).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(split.overCap).toBe(2);
    expect(split.dropped).toEqual([]);
  });

  it('caps queries when asked', () => {
    const split = splitQueries('a,b,c,d,e', { mode: 'mq', maxQueries: 3 });
    expect(split.queries).toEqual(['a', 'b', 'c']);
    expect(split.dropped).toEqual(['d', 'e']);
  });

  it('keeps duplicates by default and removes them with dedup', () => {
    expect(splitQueries('a,b,a', { mode: 'mq' })).toMatchObject({
      queries: ['a', 'b', 'a'],
      duplicates: 1,
    });
    expect(splitQueries('a,b,a', { mode: 'mq', dedup: true })).toMatchObject({
      queries: ['a', 'b'],
      duplicates: 1,
      dropped: ['a'],
    });
  });

  it('splits a JSON-looking body on commas without parsing it, valid or not', () => {
    expect(splitQueries('{"query": ["a", "b"]', { mode: 'mq' }).queries).toEqual([
      '{"query": ["a"',
      '"b"]',
    ]);
    expect(splitQueries('["x", "y"]', { mode: 'mq' }).queries).toEqual(['["x"', '"y"]']);
  });
});

describe('finalAnswer', () => {
  it('is the answer of the turn that answered', () => {
    expect(
      finalAnswer([
        { kind: 'model', text: '<search> q </search>' },
        {
          kind: 'env',
          text: '\n<information>\nDoc 1: <answer> Sydney </answer>\n</information>\n',
        },
        { kind: 'model', text: '<answer> Canberra </answer>' },
      ]),
    ).toBe('Canberra');
  });

  it('never reads environment text: an episode ending on a correction has no answer', () => {
    expect(INVALID_ACTION_CORRECTION).toContain('<answer> and </answer>');
    expect(
      finalAnswer([
        { kind: 'model', text: 'Canberra, I think.' },
        { kind: 'env', text: INVALID_ACTION_CORRECTION },
      ]),
    ).toBeNull();
  });
});

describe('extractAnswer', () => {
  it('takes the last answer of one generation', () => {
    expect(extractAnswer('<answer> a </answer> ... <answer> b </answer>')).toBe('b');
  });

  it('returns null without an answer', () => {
    expect(extractAnswer('<search> q </search>')).toBeNull();
  });

  it('never sees the template example because the prompt is not passed', () => {
    const prompt = buildPrompt({ question: 'q', mode: 'sq' });
    expect(extractAnswer(prompt)).toBe('Beijing');
    expect(extractAnswer('<think>no idea</think>')).toBeNull();
  });
});

describe('buildPrompt', () => {
  it('ends with the question line', () => {
    expect(buildPrompt({ question: 'Who?', mode: 'mq' }).endsWith('Question: Who?\n')).toBe(true);
  });

  it('normalizes the question for RL data when asked', () => {
    expect(buildPrompt({ question: ' who ', mode: 'sq', normalizeQuestion: true })).toMatch(
      /Question: who\?\n$/,
    );
  });

  it('differs between modes only where the spec says', () => {
    const sq = buildPrompt({ question: 'q', mode: 'sq' });
    const mq = buildPrompt({ question: 'q', mode: 'mq' });
    expect(mq).toContain('query_1,query_2');
    expect(mq).toContain('up to three queries');
    expect(sq).not.toContain('query_1');
  });
});
