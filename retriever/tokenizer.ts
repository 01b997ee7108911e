import { z } from 'zod';
import { newStemmer } from 'snowball-stemmers';
import { ENGLISH_STOPWORDS } from './stopwords-en.ts';

export const TokenizerOptionsSchema = z
  .object({
    lowercase: z.boolean().default(true).describe('lowercase before splitting (bm25s lower=True)'),
    stopwords: z
      .union([z.enum(['en', 'none']), z.array(z.string())])
      .default('en')
      .describe("'en' = Lucene/bm25s English list, 'none', or an explicit list"),
    stemmer: z
      .enum(['none', 'snowball-english'])
      .default('none')
      .describe('Snowball English (Porter2) stemming, as PyStemmer<3 "english" (Snowball 2.x)'),
  })
  .strict();
export type TokenizerOptions = z.infer<typeof TokenizerOptionsSchema>;

/**
 * Python's `(?u)\b\w\w+\b`: maximal runs of at least two word characters, where Python's
 * Unicode `\w` is letters, numbers and underscore (combining marks are not word characters).
 */
const TOKEN_PATTERN = /[\p{L}\p{N}_]{2,}/gu;

export type TextTokenizer = (text: string) => string[];

/**
 * A bm25s-compatible analyzer: lowercase, regex split, stopword removal on the unstemmed token,
 * then optional stemming (the order bm25s.tokenize applies them in).
 */
export function createTokenizer(options: Partial<TokenizerOptions> = {}): TextTokenizer {
  const parsed = TokenizerOptionsSchema.parse(options);
  const stopwords = new Set(resolveStopwords(parsed.stopwords));
  const stem = parsed.stemmer === 'snowball-english' ? createCachedStemmer() : undefined;
  return (text: string): string[] => {
    const source = parsed.lowercase ? text.toLowerCase() : text;
    const tokens: string[] = [];
    for (const match of source.matchAll(TOKEN_PATTERN)) {
      const token = match[0];
      if (stopwords.has(token)) continue;
      tokens.push(stem ? stem(token) : token);
    }
    return tokens;
  };
}

function resolveStopwords(stopwords: TokenizerOptions['stopwords']): readonly string[] {
  if (stopwords === 'en') return ENGLISH_STOPWORDS;
  if (stopwords === 'none') return [];
  return stopwords;
}

/** Stemming dominates analysis time and corpora reuse few distinct words, so memoize it. */
function createCachedStemmer(maxEntries = 500_000): (word: string) => string {
  const stemmer = newStemmer('english');
  const cache = new Map<string, string>();
  return (word: string): string => {
    const hit = cache.get(word);
    if (hit !== undefined) return hit;
    const stemmed = stemmer.stem(word);
    if (cache.size >= maxEntries) cache.clear();
    cache.set(word, stemmed);
    return stemmed;
  };
}
