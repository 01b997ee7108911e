import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBm25Index } from './bm25-builder.ts';
import type { Bm25Params } from './bm25-params.ts';
import { createBm25Retriever, type Bm25Retriever } from './bm25-retriever.ts';
import { readCorpus } from './corpus-reader.ts';
import { createTokenizer } from './tokenizer.ts';
import { sharedDataPath } from '../lib/shared-data.ts';

const CORPUS = sharedDataPath('corpus/wiki-sample.jsonl');
const FIXTURE = new URL('./fixtures/bm25s-wiki-sample.json', import.meta.url);

interface FixtureConfig {
  name: string;
  method: Bm25Params['method'];
  k1: number;
  b: number;
  stemmer: string | null;
  hits: [string, number][][];
}
const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as {
  queries: string[];
  configs: FixtureConfig[];
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bm25-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function buildFor(config: FixtureConfig): Promise<string> {
  const out = join(dir, `${config.name}.idx`);
  await buildBm25Index({
    passages: readCorpus(CORPUS),
    out,
    params: {
      method: config.method,
      k1: config.k1,
      b: config.b,
      tokenizer: {
        lowercase: true,
        stopwords: 'en',
        stemmer: config.stemmer ? 'snowball-english' : 'none',
      },
    },
  });
  return out;
}

describe.each(fixture.configs.map((c) => [c.name, c] as const))(
  'BM25 vs bm25s (%s)',
  (_name, config) => {
    let retriever: Bm25Retriever;
    beforeAll(async () => {
      retriever = createBm25Retriever({ indexPath: await buildFor(config), threads: 0 });
    });
    afterAll(async () => retriever.close());

    it('agrees on top-10 ids (>= 99% overlap) and scores (1e-3 relative)', async () => {
      const results = await retriever.retrieve(fixture.queries, 10);
      let shared = 0;
      let total = 0;
      results.forEach((hits, q) => {
        const expected = config.hits[q]!.filter(([, score]) => score > 0);
        const expectedIds = new Set(expected.map(([id]) => id));
        total += expected.length;
        shared += hits.filter((hit) => expectedIds.has(hit.document.id)).length;
        expected.forEach(([, score], rank) => {
          expect(hits[rank]!.score).toBeCloseTo(score, 2);
        });
      });
      expect(total).toBeGreaterThan(1000);
      expect(shared / total).toBeGreaterThanOrEqual(0.99);
    });
  },
);

describe('BM25 index', () => {
  let inline: Bm25Retriever;
  let pooled: Bm25Retriever;
  beforeAll(async () => {
    const path = await buildFor(fixture.configs[0]!);
    inline = createBm25Retriever({ indexPath: path, threads: 0 });
    pooled = createBm25Retriever({ indexPath: path, threads: 2 });
  });
  afterAll(async () => {
    await inline.close();
    await pooled.close();
  });

  it('finds the NQ gold passage for a real question', async () => {
    const [hits] = await inline.retrieve(['who told the story of the prodigal son'], 3);
    expect(hits?.[0]?.document.id).toBe('nqgold-2417');
    expect(hits?.[0]?.document.contents.startsWith('"Parable of the Prodigal Son"\n')).toBe(true);
  });

  it('gives worker threads the same answers as the calling thread', async () => {
    const queries = fixture.queries.slice(0, 40);
    const a = await inline.retrieve(queries, 5);
    const b = await pooled.retrieve(queries, 5);
    expect(b.map((hits) => hits.map((h) => h.document.id))).toEqual(
      a.map((hits) => hits.map((h) => h.document.id)),
    );
  });

  it("keeps each concurrent call's results in its own query order", async () => {
    const calls = Array.from({ length: 12 }, (_, c) => fixture.queries.slice(c * 3, c * 3 + 3));
    const pooledResults = await Promise.all(calls.map((queries) => pooled.rank(queries, 5)));
    const inlineResults = await Promise.all(calls.map((queries) => inline.rank(queries, 5)));
    expect(pooledResults.map((call) => call.map((r) => Array.from(r.docs)))).toEqual(
      inlineResults.map((call) => call.map((r) => Array.from(r.docs))),
    );
  });

  it('matches a brute-force BM25 over the tokenized corpus', async () => {
    const tokenize = createTokenizer();
    const docs: { id: string; tokens: string[] }[] = [];
    for await (const p of readCorpus(CORPUS)) docs.push({ id: p.id, tokens: tokenize(p.contents) });
    const avg = docs.reduce((s, d) => s + d.tokens.length, 0) / docs.length;
    const query = tokenize('capital city of Australia parliament');
    const df = new Map(query.map((t) => [t, docs.filter((d) => d.tokens.includes(t)).length]));
    const scored = docs.map((d) => {
      let score = 0;
      for (const t of query) {
        const tf = d.tokens.filter((x) => x === t).length;
        if (tf === 0) continue;
        const idf = Math.log(1 + (docs.length - df.get(t)! + 0.5) / (df.get(t)! + 0.5));
        score += (idf * tf) / (tf + 1.5 * (1 - 0.75 + (0.75 * d.tokens.length) / avg));
      }
      return { id: d.id, score };
    });
    scored.sort((x, y) => y.score - x.score);
    const [hits] = await inline.retrieve(['capital city of Australia parliament'], 5);
    expect(hits?.map((h) => h.document.id)).toEqual(scored.slice(0, 5).map((s) => s.id));
    expect(hits?.[0]?.score).toBeCloseTo(scored[0]!.score, 3);
  });

  it('returns nothing for a query with no corpus term, and k hits otherwise', async () => {
    const [none, some] = await inline.retrieve(['the of and', 'Canberra'], 4);
    expect(none).toEqual([]);
    expect(some).toHaveLength(4);
    expect(some!.every((h, i, all) => i === 0 || all[i - 1]!.score >= h.score)).toBe(true);
  });
});
