import { describe, expect, it } from 'vitest';
import { createTokenizer } from './tokenizer.ts';

// Expected outputs from bm25s 0.3.16 `bm25s.tokenize(..., stopwords="en")`, stemmed with
// PyStemmer 2.2 "english" (Snowball 2.x; PyStemmer 3 ships Snowball 3's changed English rules).
describe('createTokenizer', () => {
  it('splits like (?u)\\b\\w\\w+\\b, lowercases and drops the English stopwords', () => {
    const tokenize = createTokenizer();
    expect(
      tokenize('The Parable of the Prodigal Son, a (1930) story_x; I à café Ünïcode 3'),
    ).toEqual(['parable', 'prodigal', 'son', '1930', 'story_x', 'café', 'ünïcode']);
  });

  it('stems with Snowball English after stopword removal', () => {
    const tokenize = createTokenizer({ stemmer: 'snowball-english' });
    expect(
      tokenize('university international generously emergency paste lateral ethnologist'),
    ).toEqual(['univers', 'intern', 'generous', 'emerg', 'past', 'later', 'ethnologist']);
  });

  it('keeps stopwords and case when asked', () => {
    const tokenize = createTokenizer({ stopwords: 'none', lowercase: false });
    expect(tokenize('The Son of Man')).toEqual(['The', 'Son', 'of', 'Man']);
  });
});
