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

const OTHER = 0;
const LETTER = 1;
const SPACE = 3;

/** Character class of each ASCII code (digits count as OTHER: each is a piece of its own). */
const ASCII_CLASS = (() => {
  const table = new Uint8Array(128);
  for (let code = 65; code <= 90; code += 1) table[code] = LETTER;
  for (let code = 97; code <= 122; code += 1) table[code] = LETTER;
  for (let code = 9; code <= 13; code += 1) table[code] = SPACE;
  table[32] = SPACE;
  return table;
})();

/**
 * Counts pieces in one pass: a run of letters, a digit or any other non-space character, each
 * with its leading whitespace; trailing whitespace is one more piece. Returns the piece count,
 * or the index where piece `limit + 1` starts (just after the piece before it) when the text
 * is longer than `limit`. One flat loop over a lookup table: this runs per character of every
 * observation of thousands of concurrent rollouts.
 */
function scanPieces(text: string, limit: number): { count: number; cutAt: number | null } {
  const length = text.length;
  let count = 0;
  let previous = SPACE;
  let previousEnd = 0;
  for (let index = 0; index < length; index += 1) {
    const code = text.charCodeAt(index);
    const kind = code < 128 ? (ASCII_CLASS[code] as number) : OTHER;
    if (kind === SPACE) {
      previous = SPACE;
      continue;
    }
    if (kind !== LETTER || previous !== LETTER) {
      count += 1;
      if (count > limit) return { count, cutAt: previousEnd };
    }
    previous = kind;
    previousEnd = index + 1;
  }
  if (previous === SPACE && length > 0) {
    count += 1;
    if (count > limit) return { count, cutAt: previousEnd };
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
