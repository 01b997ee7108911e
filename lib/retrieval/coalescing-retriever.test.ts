import { describe, expect, it } from 'vitest';
import { coalescingRetriever } from './coalescing-retriever.ts';
import type { Retriever, ScoredPassage } from './types.ts';

/** A retriever whose batches finish only when the test says so; it records every batch. */
function heldRetriever() {
  const batches: Array<{ queries: string[]; topK: number; finish: (error?: Error) => void }> = [];
  const retriever: Retriever = {
    id: 'held',
    retrieve: (queries, topK) =>
      new Promise<ScoredPassage[][]>((resolve, reject) => {
        const hits = queries.map((query) =>
          Array.from({ length: topK }, (_, rank) => ({
            document: { id: `${query}#${rank}`, contents: query },
            score: topK - rank,
          })),
        );
        batches.push({
          queries,
          topK,
          finish: (error) => (error ? reject(error) : resolve(hits)),
        });
      }),
  };
  return { retriever, batches };
}

const ids = (lists: ScoredPassage[][]) => lists.map((list) => list.map((hit) => hit.document.id));
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('coalescingRetriever', () => {
  it('sends calls that wait behind a running batch together, each getting its own hits', async () => {
    const { retriever, batches } = heldRetriever();
    const merged = coalescingRetriever(retriever, { maxQueries: 64 });
    const first = merged.retrieve(['a'], 2);
    await settle();
    expect(batches.map((batch) => batch.queries)).toEqual([['a']]);
    const second = merged.retrieve(['b', 'c'], 1);
    const third = merged.retrieve(['d'], 3);
    await settle();
    expect(batches).toHaveLength(1);
    batches[0]!.finish();
    expect(ids(await first)).toEqual([['a#0', 'a#1']]);
    await settle();
    expect(batches[1]).toMatchObject({ queries: ['b', 'c', 'd'], topK: 3 });
    batches[1]!.finish();
    expect(ids(await second)).toEqual([['b#0'], ['c#0']]);
    expect(ids(await third)).toEqual([['d#0', 'd#1', 'd#2']]);
  });

  it('starts calls made in one turn as one batch, and splits at maxQueries', async () => {
    const { retriever, batches } = heldRetriever();
    const merged = coalescingRetriever(retriever, { maxQueries: 4 });
    const calls = [['a', 'b'], ['c'], ['d', 'e'], ['f']].map((queries) =>
      merged.retrieve(queries, 1),
    );
    await settle();
    expect(batches.map((batch) => batch.queries)).toEqual([['a', 'b', 'c']]);
    batches[0]!.finish();
    await settle();
    expect(batches.map((batch) => batch.queries)).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e', 'f'],
    ]);
    batches[1]!.finish();
    expect((await Promise.all(calls)).map(ids)).toEqual([
      [['a#0'], ['b#0']],
      [['c#0']],
      [['d#0'], ['e#0']],
      [['f#0']],
    ]);
  });

  it('fails every call of a failed batch, and only those', async () => {
    const { retriever, batches } = heldRetriever();
    const merged = coalescingRetriever(retriever, { maxQueries: 64 });
    const first = merged.retrieve(['a'], 1);
    await settle();
    const second = merged.retrieve(['b'], 1);
    const third = merged.retrieve(['c'], 1);
    batches[0]!.finish(new Error('index gone'));
    await expect(first).rejects.toThrow('index gone');
    await settle();
    batches[1]!.finish(new Error('encoder failed'));
    await expect(second).rejects.toThrow('encoder failed');
    await expect(third).rejects.toThrow('encoder failed');
  });

  it('refuses an aborted call at once and does not send it', async () => {
    const { retriever, batches } = heldRetriever();
    const merged = coalescingRetriever(retriever, { maxQueries: 64 });
    const first = merged.retrieve(['a'], 1);
    await settle();
    const controller = new AbortController();
    const aborted = merged.retrieve(['b'], 1, controller.signal);
    const kept = merged.retrieve(['c'], 1);
    controller.abort(new Error('stage cancelled'));
    await expect(aborted).rejects.toThrow('stage cancelled');
    batches[0]!.finish();
    await first;
    await settle();
    expect(batches[1]!.queries).toEqual(['c']);
    batches[1]!.finish();
    expect(ids(await kept)).toEqual([['c#0']]);
  });
});
