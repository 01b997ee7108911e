import { describe, expect, it } from 'vitest';
import { normalizeAnswer, pySplit } from './normalize.ts';

// [input, squad, rag-r1]: expected values produced by running the two reference recipes of
// spec sections 7 and 8 in CPython 3.11 (re.sub with \b, str.split(), string.punctuation).
const CASES: [string, string, string][] = [
  ['U.S.', 'us', 'u s'],
  ['The Beatles', 'beatles', 'beatles'],
  ['  Hello,   World! ', 'hello world', 'hello world'],
  ['3.14', '314', '3 14'],
  ['1,000,000', '1000000', '1 000 000'],
  ["\u00c7a va, l'\u00e9t\u00e9", '\u00e7a va l\u00e9t\u00e9', '\u00e7a va l \u00e9t\u00e9'],
  ['\u0141\u00f3d\u017a', '\u0142\u00f3d\u017a', '\u0142\u00f3d\u017a'],
  ['na\u00efve_caf\u00e9', 'na\u00efvecaf\u00e9', 'na\u00efve caf\u00e9'],
  ['rock_and_roll', 'rockandroll', 'rock and roll'],
  ['\u2018Quoted\u2019 answer\u00b4s', '\u2018quoted\u2019 answer\u00b4s', 'quoted answer s'],
  ['`tick`', 'tick', 'tick'],
  ['the', '', ''],
  ['a an the', '', ''],
  ['th\u00e9a', 'th\u00e9a', 'th\u00e9a'],
  ['a\u00e9', 'a\u00e9', 'a\u00e9'],
  ['\u00e9a b', '\u00e9a b', '\u00e9a b'],
  ['S\u00e3o Paulo', 's\u00e3o paulo', 's\u00e3o paulo'],
  ["Don't", 'dont', 'don t'],
  ["St. John's", 'st johns', 'st john s'],
  ['A1', 'a1', 'a1'],
  ['a1 a', 'a1', 'a1'],
  ['\u00a0a\u2003b\u3000c', 'b c', 'b c'],
  ['x\u001cy', 'x y', 'x y'],
  ['x\u0085y', 'x y', 'x y'],
  ['x\ufeffy', 'x\ufeffy', 'x\ufeffy'],
  ['\u0130stanbul', 'i\u0307stanbul', 'i\u0307stanbul'],
  [
    '\u03a3\u038a\u03a3\u03a5\u03a6\u039f\u03a3',
    '\u03c3\u03af\u03c3\u03c5\u03c6\u03bf\u03c2',
    '\u03c3\u03af\u03c3\u03c5\u03c6\u03bf\u03c2',
  ],
  ['an_apple', 'anapple', 'apple'],
  ['THE END.', 'end', 'end'],
  ['20 July 1851', '20 july 1851', '20 july 1851'],
  ['KUAT-TV 6', 'kuattv 6', 'kuat tv 6'],
  ['"Mark Twain"', 'mark twain', 'mark twain'],
  ['', '', ''],
  [
    '\u00dcn\u00efc\u00f6d\u00e9\u2014dash',
    '\u00fcn\u00efc\u00f6d\u00e9\u2014dash',
    '\u00fcn\u00efc\u00f6d\u00e9\u2014dash',
  ],
  ['co-op', 'coop', 'co op'],
  ['e.g. the A-Team', 'eg ateam', 'e g team'],
  ['100%', '100', '100'],
  ['$1.5 million', '15 million', '1 5 million'],
  ['The  U.N.', 'un', 'u n'],
  ['l\u2019amour', 'l\u2019amour', 'l amour'],
  ['1st_a_b', '1stab', '1st b'],
];

describe('normalizeAnswer', () => {
  it.each(CASES)('normalizes %j like the references', (input, squad, ragR1) => {
    expect(normalizeAnswer(input, 'squad')).toBe(squad);
    expect(normalizeAnswer(input, 'rag-r1')).toBe(ragR1);
  });

  it('defaults to squad', () => {
    expect(normalizeAnswer('U.S.')).toBe('us');
  });

  it('differs between modes on punctuation inside tokens', () => {
    expect(normalizeAnswer('U.S.', 'squad')).not.toBe(normalizeAnswer('U.S.', 'rag-r1'));
  });
});

describe('pySplit', () => {
  it('treats U+FEFF as a word character and U+0085 as whitespace, like Python', () => {
    expect(pySplit('a\ufeffb c\u0085d')).toEqual(['a\ufeffb', 'c', 'd']);
  });
});
