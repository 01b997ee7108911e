import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSeededRandom, type Random } from '../lib/random.ts';
import type { Passage } from '../lib/retrieval/types.ts';
import { sharedDataPath } from '../lib/shared-data.ts';
import { buildBm25Index } from './bm25-builder.ts';
import { loadBm25Index, type LoadedBm25Index } from './bm25-index.ts';
import type { Bm25Method } from './bm25-params.ts';
import { Bm25Searcher, type RankedDocs } from './bm25-searcher.ts';
import { readCorpus } from './corpus-reader.ts';
import { seekPosting } from './maxscore.ts';
import { createTokenizer } from './tokenizer.ts';

const CORPUS = sharedDataPath('corpus/wiki-sample.jsonl');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'maxscore-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pick = <T>(items: readonly T[], random: Random): T =>
  items[Math.floor(random() * items.length)]!;

/** Queries of 2-12 words drawn from the corpus vocabulary, some words repeated. */
function randomQueries(words: readonly string[], count: number, seed: number): string[] {
  const random = createSeededRandom(seed);
  return Array.from({ length: count }, () => {
    const length = 2 + Math.floor(random() * 11);
    const query = Array.from({ length }, () => pick(words, random));
    if (random() < 0.2) query.push(query[0]!);
    return query.join(' ');
  });
}

/** Bit patterns, so -0/+0 or last-bit differences fail the comparison. */
const bits = (ranked: RankedDocs) => ({
  docs: Array.from(ranked.docs),
  scores: Array.from(new Uint32Array(ranked.scores.buffer, ranked.scores.byteOffset)),
});

function expectSameRankings(index: LoadedBm25Index, queries: string[]): number {
  const fast = new Bm25Searcher(index.arrays, 'maxscore');
  const exhaustive = new Bm25Searcher(index.arrays, 'exhaustive');
  let hits = 0;
  for (const [n, query] of queries.entries()) {
    const k = [1, 3, 10, 50][n % 4]!;
    const expected = exhaustive.search(query, k);
    expect(bits(fast.search(query, k)), `${query} (k=${k})`).toEqual(bits(expected));
    hits += expected.docs.length;
  }
  return hits;
}

async function buildIndex(
  name: string,
  passages: Iterable<Passage> | AsyncIterable<Passage>,
  method: Bm25Method = 'lucene',
) {
  const out = join(dir, `${name}.idx`);
  await buildBm25Index({ passages, out, params: { method } });
  return loadBm25Index(out);
}

describe('MaxScore equals exhaustive search', () => {
  it.each(['lucene', 'bm25+'] as const)(
    'on the real 8.5k passages (%s): same docs, bit-identical scores',
    async (method) => {
      const index = await buildIndex(`wiki-${method}`, readCorpus(CORPUS), method);
      const words = new Set<string>();
      const tokenize = createTokenizer();
      let seen = 0;
      for await (const passage of readCorpus(CORPUS)) {
        if (seen++ % 7 === 0) for (const word of tokenize(passage.contents)) words.add(word);
      }
      const hits = expectSameRankings(index, randomQueries([...words], 400, 11));
      expect(hits).toBeGreaterThan(2000);
      await index.file.close();
    },
  );

  it('on a corpus where many documents tie exactly', async () => {
    const random = createSeededRandom(5);
    const vocabulary = Array.from({ length: 40 }, (_, i) => `word${i}`);
    const templates = Array.from({ length: 60 }, () =>
      Array.from({ length: 3 + Math.floor(random() * 6) }, () => pick(vocabulary, random)).join(
        ' ',
      ),
    );
    const passages = Array.from({ length: 3000 }, (_, i) => ({
      id: `d${i}`,
      contents: pick(templates, random),
    }));
    const index = await buildIndex('ties', passages);
    const hits = expectSameRankings(index, randomQueries(vocabulary, 400, 13));
    expect(hits).toBeGreaterThan(5000);
    await index.file.close();
  });
});

describe('seekPosting', () => {
  it('finds the first position at or past the target, by galloping from any start', () => {
    const docs = Uint32Array.from([2, 3, 5, 8, 13, 21, 34, 55, 89]);
    for (let from = 0; from <= docs.length; from += 1) {
      for (let target = 0; target <= 90; target += 1) {
        let expected = from;
        while (expected < docs.length && docs[expected]! < target) expected += 1;
        expect(seekPosting(docs, from, docs.length, target)).toBe(expected);
      }
    }
  });
});
