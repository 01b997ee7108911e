import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RolloutConfigSchema } from '../agent/config.ts';
import { runRollout } from '../agent/rollout.ts';
import { responseText } from '../agent/trajectory.ts';
import { exactMatch } from '../qa/score.ts';
import { readJsonlAll } from '../jsonl.ts';
import { QaItemSchema, type QaItem } from '../qa/types.ts';
import { buildBm25Index } from '../../retriever/bm25-builder.ts';
import { createBm25Retriever, type Bm25Retriever } from '../../retriever/bm25-retriever.ts';
import { readCorpus } from '../../retriever/corpus-reader.ts';
import { createOracleTeacher, supportingTitles } from './oracle-teacher.ts';

/** The oracle on the real HotpotQA training rows, through the real rollout loop and BM25. */
const dir = mkdtempSync(join(tmpdir(), 'oracle-'));
let retriever: Bm25Retriever;
let items: QaItem[];
beforeAll(async () => {
  const indexPath = join(dir, 'corpus.bm25');
  await buildBm25Index({
    passages: readCorpus('data/real/corpus/wiki-sample.jsonl'),
    out: indexPath,
  });
  retriever = createBm25Retriever({ indexPath, threads: 0 });
  items = (await readJsonlAll('data/real/qa/hotpotqa-train.jsonl', QaItemSchema)).slice(0, 12);
}, 120_000);
afterAll(async () => {
  await retriever?.close?.();
  rmSync(dir, { recursive: true, force: true });
});

describe('oracle teacher', () => {
  it('searches the supporting titles and answers only what a retrieved document says', async () => {
    const teacher = createOracleTeacher(items);
    const config = RolloutConfigSchema.parse({ maxTurns: 3, topK: 3, maxObsTokens: 400 });
    let correct = 0;
    for (const item of items) {
      const trajectory = await runRollout({
        question: item,
        mode: 'sq',
        backend: teacher,
        retriever,
        config,
      });
      const text = responseText(trajectory);
      expect(trajectory.answer, item.id).not.toBeNull();
      expect(text).toContain(`<search> ${supportingTitles(item)[0]} </search>`);
      if (trajectory.answer === 'unknown') continue;
      // A gold answer it gives was in the documents it read.
      expect(exactMatch(trajectory.answer!, item.golden_answers, 'squad')).toBe(1);
      const observed = trajectory.segments
        .filter((s) => s.kind === 'env')
        .map((s) => s.text)
        .join('\n')
        .toLowerCase();
      expect(observed).toContain(trajectory.answer!.toLowerCase());
      correct += 1;
    }
    expect(correct).toBeGreaterThan(items.length / 2);
  });
});
