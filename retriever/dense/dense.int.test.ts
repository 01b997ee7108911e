import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Passage } from '../../lib/retrieval/types.ts';
import { buildBm25Index } from '../bm25-builder.ts';
import { createBm25Retriever } from '../bm25-retriever.ts';
import { createHybridRetriever } from '../hybrid-retriever.ts';
import { buildDenseIndex } from './dense-index.ts';
import { createDenseRetriever, type DenseRetriever } from './dense-retriever.ts';
import { loadEncoder } from './encoder.ts';
import { sharedDataPath } from '../../lib/shared-data.ts';

const MODEL = new URL('../../.data/models/all-minilm-l6-v2', import.meta.url).pathname;

// Paraphrase pairs with little word overlap, so lexical matching alone cannot pair them.
const PAIRS: [string, string][] = [
  ['How do I bake bread at home?', 'A recipe for making your own loaf in the kitchen'],
  ['The stock market fell sharply today.', 'Share prices dropped steeply this afternoon.'],
  ['My car will not start in the morning.', 'The vehicle fails to turn on at dawn.'],
  ['What is the capital city of France?', 'Paris is the seat of the French government.'],
  ['The child is sleeping in the crib.', 'A baby naps in its cot.'],
  ['He plays guitar in a rock band.', 'The musician performs electric riffs with his group.'],
  ['Heavy rain caused flooding downtown.', 'A downpour left the city centre under water.'],
  ['She is learning to speak Japanese.', 'The woman studies the language of Japan.'],
];

let dir: string;
beforeAll(() => {
  if (!existsSync(join(MODEL, 'model.onnx'))) {
    execFileSync('bash', [new URL('./setup-test-model.sh', import.meta.url).pathname], {
      stdio: 'inherit',
    });
  }
  dir = mkdtempSync(join(tmpdir(), 'dense-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dense retrieval with all-MiniLM-L6-v2 (ONNX, local)', () => {
  it('embeds the reference sentence pair at its published cosine similarity', async () => {
    const encoder = await loadEncoder(MODEL);
    const v = await encoder.encode(
      ['A man is eating food.', 'A man is eating a piece of bread.'],
      'query',
    );
    const d = encoder.dimension;
    let cosine = 0;
    for (let i = 0; i < d; i += 1) cosine += v[i]! * v[d + i]!;
    expect(d).toBe(384);
    // sentence-transformers' own example reports 0.7553 for this pair.
    expect(cosine).toBeCloseTo(0.7553, 2);
    await encoder.close();
  });

  it('returns a batch in input order, whatever the lengths', async () => {
    // Batches of 2 sorted by length: this call runs as [short, medium] then [long].
    const encoder = await loadEncoder(MODEL, { batchSize: 2 });
    const texts = [
      'A much longer sentence about the history of bread making in medieval European towns.',
      'Bread.',
      'A man is eating food.',
    ];
    const batch = await encoder.encode(texts, 'query');
    const d = encoder.dimension;
    for (const [index, text] of texts.entries()) {
      const alone = await encoder.encode([text], 'query');
      const row = batch.subarray(index * d, (index + 1) * d);
      alone.forEach((value, i) => expect(row[i]).toBeCloseTo(value, 4));
    }
    await encoder.close();
  });

  describe.each(['float32', 'float16'] as const)('%s index', (precision) => {
    let retriever: DenseRetriever;
    beforeAll(async () => {
      const encoder = await loadEncoder(MODEL);
      const passages: Passage[] = PAIRS.map(([, b], i) => ({ id: `p${i}`, contents: b }));
      const out = join(dir, `${precision}.idx`);
      await buildDenseIndex({ passages, encoder, out, precision });
      await encoder.close();
      retriever = await createDenseRetriever({ indexPath: out, modelDir: MODEL });
    });
    afterAll(async () => retriever.close());

    it('puts each paraphrase first for its partner', async () => {
      const results = await retriever.retrieve(
        PAIRS.map(([a]) => a),
        3,
      );
      expect(results.map((hits) => hits[0]!.document.id)).toEqual(PAIRS.map((_, i) => `p${i}`));
      expect(results[3]![0]!.document.contents).toBe(PAIRS[3]![1]);
      expect(results[0]![0]!.score).toBeGreaterThan(results[0]![1]!.score);
    });
  });

  it('hybrid fuses BM25 and dense over the real corpus', async () => {
    const source = (await import('node:fs')).readFileSync(
      sharedDataPath('corpus/wiki-sample.jsonl'),
      'utf8',
    );
    const passages = source
      .trim()
      .split('\n')
      .slice(1000, 1150)
      .map((l) => JSON.parse(l) as Passage);
    const encoder = await loadEncoder(MODEL);
    await buildDenseIndex({
      passages,
      encoder,
      out: join(dir, 'real.dense'),
      precision: 'float16',
    });
    await encoder.close();
    await buildBm25Index({ passages, out: join(dir, 'real.bm25') });
    const bm25 = createBm25Retriever({ indexPath: join(dir, 'real.bm25'), threads: 0 });
    const dense = await createDenseRetriever({
      indexPath: join(dir, 'real.dense'),
      modelDir: MODEL,
    });
    const hybrid = createHybridRetriever(bm25, dense, { candidates: 20 });
    const title = passages[17]!.contents.split('\n')[0]!.replaceAll('"', '');
    const [fromDense] = await dense.retrieve([`tell me about ${title}`], 3);
    const [fused] = await hybrid.retrieve([`tell me about ${title}`], 3);
    expect(fromDense!.map((h) => h.document.id)).toContain(passages[17]!.id);
    expect(fused![0]!.document.id).toBe(passages[17]!.id);
    await hybrid.close?.();
  });
});
