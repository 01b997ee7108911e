import { describe, expect, it } from 'vitest';
import { exactMatch, f1Score, scoreAnswer, subExactMatch } from './score.ts';
import { scorePredictions } from './score-set.ts';

describe('exactMatch', () => {
  it('matches any of several gold answers', () => {
    expect(exactMatch('Sam Clemens', ['Mark Twain', 'Sam Clemens'])).toBe(1);
    expect(exactMatch('Twain', ['Mark Twain', 'Sam Clemens'])).toBe(0);
  });

  it('accepts a gold given as a single string', () => {
    expect(exactMatch('the Beatles', 'Beatles')).toBe(1);
  });

  it('punctuation inside numbers: squad deletes it, rag-r1 splits on it', () => {
    expect(exactMatch('1000000', ['1,000,000'], 'squad')).toBe(1);
    expect(exactMatch('1000000', ['1,000,000'], 'rag-r1')).toBe(0);
    expect(exactMatch('1 000 000', ['1,000,000'], 'rag-r1')).toBe(1);
    expect(exactMatch('3.14', ['314'], 'squad')).toBe(1);
  });

  it('keeps accents and non-Latin scripts', () => {
    expect(exactMatch('São Paulo', ['Sao Paulo'])).toBe(0);
    expect(exactMatch('SÃO PAULO!', ['São Paulo'])).toBe(1);
    expect(exactMatch('Łódź', ['łódź'])).toBe(1);
  });

  it('rag-r1 drops curly quotes that squad keeps', () => {
    expect(exactMatch('‘Hello’', ['hello'], 'rag-r1')).toBe(1);
    expect(exactMatch('‘Hello’', ['hello'], 'squad')).toBe(0);
  });

  it('an empty prediction is wrong unless the gold normalizes to empty', () => {
    expect(exactMatch('', ['Paris'])).toBe(0);
    expect(exactMatch('', ['The'])).toBe(1);
  });
});

describe('subExactMatch', () => {
  it('finds the gold inside a longer prediction', () => {
    expect(subExactMatch('it was Paris, France', ['paris'])).toBe(1);
    expect(subExactMatch('Par', ['paris'])).toBe(0);
  });

  it('an empty prediction contains nothing but the empty gold', () => {
    expect(subExactMatch('', ['Paris'])).toBe(0);
  });
});

describe('f1Score', () => {
  it('is bag-of-tokens overlap after normalization', () => {
    // pred "barack obama" vs gold "barack hussein obama": p=1, r=2/3, f1=0.8
    expect(f1Score('Barack Obama', ['Barack Hussein Obama'])).toBeCloseTo(0.8, 10);
  });

  it('takes the best gold', () => {
    expect(f1Score('new york', ['York', 'New York City'])).toBeCloseTo(0.8, 10);
  });

  it('counts repeated tokens at most as often as the gold has them', () => {
    // pred "a b b" -> tokens [b, b] (article dropped); gold [b]: p=1/2, r=1
    expect(f1Score('a b b', ['b'])).toBeCloseTo(2 / 3, 10);
  });

  it('gives yes/no credit only on an exact match', () => {
    expect(f1Score('yes', ['yes indeed'])).toBe(0);
    expect(f1Score('no', ['no'])).toBe(1);
  });

  it('is zero for an empty prediction', () => {
    expect(f1Score('', ['Paris'])).toBe(0);
  });

  it('depends on the mode for punctuation inside tokens', () => {
    expect(f1Score('U.S. army', ['us army'], 'squad')).toBe(1);
    expect(f1Score('U.S. army', ['us army'], 'rag-r1')).toBeCloseTo(0.4, 10);
  });
});

describe('scoreAnswer / scorePredictions', () => {
  it('gives all three scores', () => {
    expect(scoreAnswer('Paris', ['paris'])).toEqual({ em: 1, subem: 1, f1: 1 });
  });

  it('averages over the QA set, counts missing predictions as wrong and records the mode', () => {
    const items = [
      { id: 'a', question: 'q1?', golden_answers: ['Paris'], metadata: {} },
      { id: 'b', question: 'q2?', golden_answers: ['U.S.'], metadata: {} },
      { id: 'c', question: 'q3?', golden_answers: ['x'], metadata: {} },
    ];
    const result = scorePredictions(
      items,
      [
        { id: 'a', prediction: 'paris' },
        { id: 'b', prediction: 'us' },
        { id: 'z', prediction: 'ignored' },
      ],
      'rag-r1',
    );
    expect(result.n).toBe(3);
    expect(result.em).toBeCloseTo(1 / 3, 10);
    expect(result.missing).toBe(1);
    expect(result.normalize).toBe('rag-r1');
    expect(result.items[2]?.missing).toBe(true);
  });
});
