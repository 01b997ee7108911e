import { z } from 'zod';

/**
 * Answer normalization, in the two variants the references use (spec sections 7 and 8).
 * - `squad`: FlashRAG and Search-R1 (`normalize_answer`): lowercase, delete ASCII punctuation,
 *   drop the articles a/an/the, collapse whitespace. This is also the RL reward's matcher.
 * - `rag-r1`: the RAG-R1 evaluation script: underscores to spaces, lowercase, punctuation
 *   (ASCII plus ‘ ’ ´ and the backtick) to a space, articles to a space, collapse whitespace.
 */
export const NORMALIZE_MODES = ['squad', 'rag-r1'] as const;
export const NormalizeModeSchema = z.enum(NORMALIZE_MODES);
export type NormalizeMode = z.infer<typeof NormalizeModeSchema>;

/** Python's `string.punctuation`. */
export const ASCII_PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const RAG_R1_EXTRA_PUNCTUATION = '\u2018\u2019\u00b4`';

const escapeClass = (chars: string): string => chars.replace(/[\\\]^-]/g, (c) => `\\${c}`);
const ASCII_PUNCTUATION_RE = new RegExp(`[${escapeClass(ASCII_PUNCTUATION)}]`, 'g');
const RAG_R1_PUNCTUATION_RE = new RegExp(
  `[${escapeClass(ASCII_PUNCTUATION + RAG_R1_EXTRA_PUNCTUATION)}]`,
  'g',
);

// Python's `\b` on str patterns is Unicode-aware (letters and digits of any script are word
// characters); JavaScript's `\b` is ASCII-only even with the `u` flag, so spell it out.
const ARTICLES_RE = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu;

// The characters Python's `str.split()` treats as whitespace (JavaScript's `\s` differs: it
// lacks U+001C..U+001F and U+0085 and adds U+FEFF).
const PY_WHITESPACE =
  '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_WHITESPACE_RE = new RegExp(`[${PY_WHITESPACE}]+`, 'gu');

/** Splits like Python's `str.split()` with no argument. */
export function pySplit(text: string): string[] {
  return text.split(PY_WHITESPACE_RE).filter((token) => token.length > 0);
}

const PY_WHITESPACE_CHAR_RE = new RegExp(`[${PY_WHITESPACE}]`, 'u');

/**
 * Strips like Python's `str.strip()` with no argument, so that text the agent environment
 * trims is the same on the TypeScript and Python sides. Every Python whitespace character is
 * in the BMP, so scanning UTF-16 code units is exact.
 */
export function pyStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && PY_WHITESPACE_CHAR_RE.test(text.charAt(start))) start += 1;
  while (end > start && PY_WHITESPACE_CHAR_RE.test(text.charAt(end - 1))) end -= 1;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

function collapseWhitespace(text: string): string {
  return pySplit(text).join(' ');
}

/** Normalizes an answer string under the given mode (default `squad`). */
export function normalizeAnswer(text: string, mode: NormalizeMode = 'squad'): string {
  if (mode === 'squad') {
    const lowered = text.toLowerCase().replace(ASCII_PUNCTUATION_RE, '');
    return collapseWhitespace(lowered.replace(ARTICLES_RE, ' '));
  }
  const lowered = text.replace(/_/g, ' ').toLowerCase();
  const spaced = lowered.replace(RAG_R1_PUNCTUATION_RE, ' ');
  return collapseWhitespace(spaced.replace(ARTICLES_RE, ' '));
}
