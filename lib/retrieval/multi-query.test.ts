import { describe, expect, it } from 'vitest';
import { multiQuerySearch, splitSearchQueries } from './multi-query.ts';
import type { Retriever, ScoredPassage } from './types.ts';

function recordingRetriever(): Retriever & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    id: 'fake',
    calls,
    retrieve: async (queries, topK) => {
      calls.push(queries);
      return queries.map((q): ScoredPassage[] =>
        Array.from({ length: topK }, (_, i) => ({
          document: { id: `${q}#${i}`, contents: q },
          score: topK - i,
        })),
      );
    },
  };
}

describe('splitSearchQueries', () => {
  it('is a plain comma split with trimming and no cap (the reference behaviour)', () => {
    expect(
      splitSearchQueries(' capital of Australia, population of Canberra ,, Paris, France ,a,a '),
    ).toEqual(['capital of Australia', 'population of Canberra', 'Paris', 'France', 'a', 'a']);
  });

  it('caps and dedupes only behind flags', () => {
    expect(splitSearchQueries('a, b, a, c', { dedupe: true, maxQueries: 2 })).toEqual(['a', 'b']);
  });
});

describe('multiQuerySearch', () => {
  it('issues all queries in one batched call and keeps query order', async () => {
    const retriever = recordingRetriever();
    const results = await multiQuerySearch(retriever, ['x', 'y', 'x'], 2);
    expect(retriever.calls).toEqual([['x', 'y', 'x']]);
    expect(results.map((hits) => hits[0]!.document.id)).toEqual(['x#0', 'y#0', 'x#0']);
  });

  it('with dedupe, searches repeated queries once and fans the hits back out', async () => {
    const retriever = recordingRetriever();
    const results = await multiQuerySearch(retriever, ['x', 'y', 'x'], 1, { dedupe: true });
    expect(retriever.calls).toEqual([['x', 'y']]);
    expect(results).toHaveLength(3);
    expect(results[2]).toEqual(results[0]);
  });

  it('makes no call for an empty search', async () => {
    const retriever = recordingRetriever();
    expect(await multiQuerySearch(retriever, [], 3)).toEqual([]);
    expect(retriever.calls).toEqual([]);
  });
});
