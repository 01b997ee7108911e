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

/** 1 = letter, 2 = digit, 3 = whitespace, 0 = any other character. */
function charClass(code: number): number {
  if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) return 1;
  if (code >= 48 && code <= 57) return 2;
  if (code === 32 || (code >= 9 && code <= 13)) return 3;
  return 0;
}

/**
 * Walks the text counting pieces: a run of letters, a digit or any other non-space character,
 * each with its leading whitespace; trailing whitespace is one more piece. Returns the piece
 * count, or the index where piece `limit + 1` starts when the text is longer than `limit`.
 */
function scanPieces(text: string, limit: number): { count: number; cutAt: number | null } {
  let count = 0;
  let index = 0;
  while (index < text.length) {
    const start = index;
    while (index < text.length && charClass(text.charCodeAt(index)) === 3) index += 1;
    if (index < text.length) {
      const kind = charClass(text.charCodeAt(index));
      index += 1;
      if (kind === 1)
        while (index < text.length && charClass(text.charCodeAt(index)) === 1) index += 1;
    }
    count += 1;
    if (count > limit) return { count, cutAt: start };
  }
  return { count, cutAt: null };
}

/**
 * An approximation of a BPE tokenizer: a word, a digit or a punctuation mark (with its
 * leading whitespace) is one token. Close enough to English BPE counts for budgets, never for
 * byte-exact reproduction of the reference cut. A hand-written scan: it runs on every
 * observation of thousands of concurrent rollouts.
 */
export const APPROXIMATE_TOKEN_COUNTER: TokenCounter = {
  countTokens: (text) => scanPieces(text, Number.POSITIVE_INFINITY).count,
  truncate: (text, maxTokens) => {
    const { cutAt } = scanPieces(text, maxTokens);
    return cutAt === null ? text : text.slice(0, cutAt);
  },
};
