/**
 * Reading one generation turn the way the reference rollout does (spec section 1, turn loop),
 * plus the defined behaviour for malformed output. Every function here is pure. The Python
 * trainer (trainer/rag_r1_trainer/environment.py) follows the same rules; the cases in
 * fixtures/environment-conformance.json are checked against both.
 *
 * Malformed cases and what happens (each is covered in parser.test.ts):
 * - text after `</search>` (or, with no `</search>`, after `</answer>`): dropped.
 * - unclosed `<search>` / `<answer>`: no action matches, the turn is `invalid`.
 * - `<search>` with only whitespace or commas: `invalid` with reason `empty-search` (the
 *   reference answers it with an empty `<information>` block; we count it as a wasted turn,
 *   and the environment appends the invalid-action correction as for any invalid turn).
 * - more than 3 queries (mq): all are kept by default, as the reference does; with
 *   `maxQueries` set the rest are dropped. `overCap` says how many a cap of 3 would drop.
 * - duplicate queries: kept by default; `dedup` removes them. `duplicates` counts them.
 * - a search body that looks like JSON, valid or not: never parsed as JSON, it gets the plain
 *   comma split like any other text.
 * - several actions in one turn: the first `<search>`/`<answer>` pair wins.
 * - answer tags in environment text (the correction names `<answer> and </answer>`, a document
 *   may quote tags): never an answer, `finalAnswer` reads model-written turns only.
 */
import { pyStrip } from '../qa/normalize.ts';
import { ENVIRONMENT } from './environment.ts';
import type { Segment } from './trajectory.ts';

/** Generation stops after either closing tag; backends keep the stop string in the text. */
export const STOP_SEQUENCES: readonly string[] = ENVIRONMENT.stop_sequences;

/** The prompt promises at most this many queries per mq search call. */
export const PROMPT_QUERY_LIMIT = ENVIRONMENT.prompt_query_limit;

const ACTION_PATTERN = /<(search|answer)>([\s\S]*?)<\/\1>/;
const THINK_PATTERN = /<think>([\s\S]*?)<\/think>/;
const ANSWER_PATTERN = /<answer>([\s\S]*?)<\/answer>/g;
const QUERY_SEPARATOR = ENVIRONMENT.query_separator;

/**
 * Keeps a turn's text up to and including the first `</search>`, else the first `</answer>`,
 * else all of it (spec section 1, turn loop step 1).
 */
export function truncateAtAction(text: string): string {
  for (const tag of STOP_SEQUENCES) {
    const at = text.indexOf(tag);
    if (at >= 0) return text.slice(0, at + tag.length);
  }
  return text;
}

export type ParsedAction =
  | { kind: 'search'; think?: string; content: string }
  | { kind: 'answer'; think?: string; content: string }
  | { kind: 'invalid'; think?: string; reason: 'no-action' | 'empty-search' };

/**
 * The first `<search>X</search>` or `<answer>X</answer>` of a turn, X stripped as Python's
 * `str.strip()` does. The turn is cut with `truncateAtAction` first (a no-op on a turn that
 * already was), so text past the action never counts.
 */
export function parseAction(text: string): ParsedAction {
  const turn = truncateAtAction(text);
  const thinkMatch = THINK_PATTERN.exec(turn);
  const think = thinkMatch ? pyStrip(thinkMatch[1] as string) : undefined;
  const withThink = think === undefined ? {} : { think };
  const match = ACTION_PATTERN.exec(turn);
  if (!match) return { kind: 'invalid', reason: 'no-action', ...withThink };
  const kind = match[1] as 'search' | 'answer';
  const content = pyStrip(match[2] as string);
  if (kind === 'search' && pyStrip(content.replaceAll(QUERY_SEPARATOR, '')) === '') {
    return { kind: 'invalid', reason: 'empty-search', ...withThink };
  }
  return { kind, content, ...withThink };
}

export interface SplitQueriesOptions {
  /** mq splits on commas; sq sends the whole search text as one query. */
  mode: 'sq' | 'mq';
  /** null keeps every query (the reference behaviour). */
  maxQueries?: number | null;
  dedup?: boolean;
}

export interface SplitQueries {
  queries: string[];
  /** Queries a cap of PROMPT_QUERY_LIMIT would drop (whether or not a cap is applied). */
  overCap: number;
  /** Exact repeats within this call (whether or not dedup is applied). */
  duplicates: number;
  /** Queries actually removed by the cap or dedup flags. */
  dropped: string[];
}

/** The reference mq split: on every comma, stripped, empty pieces dropped (spec section 1, mq step 1). */
export function splitQueries(content: string, options: SplitQueriesOptions): SplitQueries {
  const raw =
    options.mode === 'sq'
      ? [pyStrip(content)]
      : content
          .split(QUERY_SEPARATOR)
          .map(pyStrip)
          .filter((piece) => piece !== '');
  const duplicates = raw.length - new Set(raw).size;
  const overCap = Math.max(0, raw.length - PROMPT_QUERY_LIMIT);
  let queries = raw;
  if (options.dedup) queries = [...new Set(queries)];
  const cap = options.maxQueries ?? null;
  if (cap !== null) queries = queries.slice(0, cap);
  const kept = [...queries];
  const dropped: string[] = [];
  for (const query of raw) {
    const at = kept.indexOf(query);
    if (at >= 0) kept.splice(at, 1);
    else dropped.push(query);
  }
  return { queries, overCap, duplicates, dropped };
}

/**
 * The final answer of an episode, for reward and evaluation: the answer action of the first
 * model-written turn that answered (the episode ends there), or null. Environment segments are
 * never read: the invalid-action correction itself contains `<answer> and </answer>`, and a
 * retrieved document may contain answer tags too.
 */
export function finalAnswer(segments: readonly Segment[]): string | null {
  for (const segment of segments) {
    if (segment.kind !== 'model') continue;
    const action = parseAction(segment.text);
    if (action.kind === 'answer') return action.content;
  }
  return null;
}

/**
 * The last `<answer>` of one model generation, trimmed; null when there is none. For a single
 * generation with no environment text in it (the direct-answer baselines); an episode's answer
 * is `finalAnswer` of its segments.
 */
export function extractAnswer(response: string): string | null {
  let last: string | null = null;
  for (const match of response.matchAll(ANSWER_PATTERN)) last = pyStrip(match[1] as string);
  return last;
}
