import { z } from 'zod';
import type { Retriever, ScoredPassage } from './types.ts';

export const MultiQueryOptionsSchema = z
  .object({
    maxQueries: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('keep only the first N queries; unset = no cap, as the reference code (spec 1)'),
    dedupe: z
      .boolean()
      .default(false)
      .describe('search identical queries once; off = the reference behaviour (spec 1)'),
  })
  .strict();
export type MultiQueryOptions = z.input<typeof MultiQueryOptionsSchema>;

/**
 * The mq query split of the reference: split on every comma, trim, drop empty pieces. Queries
 * that contain commas are split too; the 3-query limit lives only in the prompt.
 */
export function splitSearchQueries(searchText: string, options: MultiQueryOptions = {}): string[] {
  const parsed = MultiQueryOptionsSchema.parse(options);
  let queries = searchText
    .split(',')
    .map((piece) => piece.trim())
    .filter((piece) => piece !== '');
  if (parsed.dedupe) queries = [...new Set(queries)];
  if (parsed.maxQueries !== undefined) queries = queries.slice(0, parsed.maxQueries);
  return queries;
}

export interface MultiQuerySearchOptions extends MultiQueryOptions {
  signal?: AbortSignal;
}

/**
 * One search call of the mq policy: all queries go to the retriever in one batch (one
 * `/retrieve` request remotely; parallel worker threads in process). Returns one hit list per
 * query in query order. With `dedupe`, repeated queries are searched once and their hits shared.
 */
export async function multiQuerySearch(
  retriever: Retriever,
  queries: string[],
  topK: number,
  options: MultiQuerySearchOptions = {},
): Promise<ScoredPassage[][]> {
  const { signal, ...rest } = options;
  const parsed = MultiQueryOptionsSchema.parse(rest);
  const selected = parsed.maxQueries === undefined ? queries : queries.slice(0, parsed.maxQueries);
  if (selected.length === 0) return [];
  if (!parsed.dedupe) return retriever.retrieve(selected, topK, signal);
  const unique = [...new Set(selected)];
  const results = await retriever.retrieve(unique, topK, signal);
  const byQuery = new Map(unique.map((query, index) => [query, results[index] ?? []]));
  return selected.map((query) => byQuery.get(query) ?? []);
}

/** The mq observation object, keys in the reference order (`query`, then `documents`). */
export function multiQueryObservation(
  queries: readonly string[],
  documents: readonly string[],
): { query: string[]; documents: string[] } {
  return { query: [...queries], documents: [...documents] };
}
