/**
 * Rendering retrieved passages into the `<information>` block the policy reads (spec section
 * 1, sq and mq observation). Pure: the passages come in, text goes out.
 */
import { pyStrip } from '../qa/normalize.ts';
import { renderPythonJson } from '../retrieval/python-json.ts';
import type { ScoredPassage } from '../retrieval/types.ts';
import { ENVIRONMENT } from './environment.ts';
import type { TokenCounter } from './token-counter.ts';

export const INFORMATION_OPEN = ENVIRONMENT.information_open;
export const INFORMATION_CLOSE = ENVIRONMENT.information_close;

/**
 * What the environment appends when a turn has no valid action: the reference's one-line
 * correction, word for word (environment.json, shared with the Python trainer).
 */
export const INVALID_ACTION_CORRECTION = ENVIRONMENT.invalid_action_correction;

/** `Doc 1: …\nDoc 2: …` for one query's hits, with no trailing newline. */
export function renderDocs(hits: ScoredPassage[]): string {
  return hits.map((hit, index) => `Doc ${index + 1}: ${hit.document.contents}`).join('\n');
}

/**
 * The sq observation: one query's documents, stripped as the reference strips them (Python
 * `str.strip()`). When the whole block is over `maxTokens`, the body is cut so that the block
 * including the closing tag fits.
 */
export function renderSqObservation(
  hits: ScoredPassage[],
  counter: TokenCounter,
  maxTokens: number | null,
): string {
  const body = pyStrip(renderDocs(hits));
  const full = INFORMATION_OPEN + body + INFORMATION_CLOSE;
  if (maxTokens === null || counter.countTokens(full) <= maxTokens) return full;
  const budget = Math.max(0, maxTokens - counter.countTokens(INFORMATION_CLOSE));
  return counter.truncate(INFORMATION_OPEN + body, budget) + INFORMATION_CLOSE;
}

/**
 * The mq observation: `{"query": [...], "documents": [...]}` as Python's `json.dumps(indent=2)`
 * writes it, each query's documents trimmed and cut to `maxTokensPerQuery`.
 */
export function renderMqObservation(
  queries: string[],
  hitsPerQuery: ScoredPassage[][],
  counter: TokenCounter,
  maxTokensPerQuery: number | null,
): string {
  const documents = hitsPerQuery.map((hits) => {
    const docs = pyStrip(renderDocs(hits));
    return maxTokensPerQuery === null ? docs : counter.truncate(docs, maxTokensPerQuery);
  });
  const json = renderPythonJson({ query: queries, documents });
  return INFORMATION_OPEN + json + INFORMATION_CLOSE;
}
