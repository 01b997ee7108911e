declare module 'snowball-stemmers' {
  export interface SnowballStemmer {
    stem(word: string): string;
  }
  /** A Snowball stemmer by algorithm name, e.g. `english` (Porter2). */
  export function newStemmer(language: string): SnowballStemmer;
  export function algorithms(): string[];
}
