/**
 * How the rollout measures and cuts text in tokens. The 1000-token observation cut must use
 * the policy's tokenizer (spec "things to get right"), so callers pass one in; the default is
 * a rough stand-in for tests and for backends whose tokenizer we do not hold (HTTP teachers).
 */
export interface TokenCounter {
  countTokens(text: string): number;
  /** The longest prefix of `text` that is at most `maxTokens` tokens. */
  truncate(text: string, maxTokens: number): string;
}

/** The subset of the project tokenizer (lib/tokenizer) a counter needs. */
export interface EncodeDecode {
  encode(text: string): number[];
  decode(ids: number[]): string;
}

/** A counter backed by a real tokenizer: encode, keep the first n ids, decode. */
export function tokenCounterFromTokenizer(tokenizer: EncodeDecode): TokenCounter {
  return {
    countTokens: (text) => tokenizer.encode(text).length,
    truncate: (text, maxTokens) => {
      const ids = tokenizer.encode(text);
      return ids.length <= maxTokens ? text : tokenizer.decode(ids.slice(0, maxTokens));
    },
  };
}

const PIECE_PATTERN = /\s*[A-Za-z]+|\s*\d|\s*[^\sA-Za-z\d]|\s+$/g;

/**
 * An approximation of a BPE tokenizer: a word, a digit or a punctuation mark (with its
 * leading whitespace) is one token. Close enough to English BPE counts for budgets, never for
 * byte-exact reproduction of the reference cut.
 */
export const APPROXIMATE_TOKEN_COUNTER: TokenCounter = {
  countTokens: (text) => text.match(PIECE_PATTERN)?.length ?? 0,
  truncate: (text, maxTokens) => {
    let count = 0;
    for (const match of text.matchAll(PIECE_PATTERN)) {
      count += 1;
      if (count > maxTokens) return text.slice(0, match.index);
    }
    return text;
  },
};
