import { describe, expect, it } from 'vitest';
import { APPROXIMATE_TOKEN_COUNTER as counter } from './token-counter.ts';

describe('APPROXIMATE_TOKEN_COUNTER', () => {
  it.each([
    ['', 0],
    ['   ', 1],
    ['word', 1],
    ['two words', 2],
    ['trailing space ', 3],
    ['a1b2', 4],
    ['x=42;', 5],
    ['café au lait', 4],
    ['line\n\tbreak', 2],
    ['😀', 2],
  ])('counts %j as %i pieces', (text, pieces) => {
    expect(counter.countTokens(text)).toBe(pieces);
  });

  it('cuts before the first piece past the limit, leaving that piece’s leading space out', () => {
    expect(counter.truncate('alpha beta  gamma', 2)).toBe('alpha beta');
    expect(counter.truncate('alpha beta  gamma', 3)).toBe('alpha beta  gamma');
    expect(counter.truncate('x=42;', 3)).toBe('x=4');
    expect(counter.truncate('ends here  ', 2)).toBe('ends here');
    expect(counter.truncate('  lead', 0)).toBe('');
  });

  it('keeps every cut within its budget and counts the cut exactly', () => {
    const text = 'The 2 quick (brown) foxes, 3.5 m apart — jumped!\n  Over 12 lazy dogs.  ';
    for (let limit = 0; limit <= counter.countTokens(text); limit += 1) {
      const cut = counter.truncate(text, limit);
      expect(text.startsWith(cut)).toBe(true);
      expect(counter.countTokens(cut)).toBe(limit);
    }
  });
});
