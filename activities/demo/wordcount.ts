import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WordcountSlice } from '../../lib/recipes/files-demo.ts';
import { DataError } from '../../lib/errors.ts';
import type { StageContext, StageResult } from '../framework/types.ts';
import { readJsonl } from '../../lib/jsonl.ts';
import { DemoRecordSchema } from './records.ts';

/** Word frequencies of the generated records; the `top` most frequent (ties by word) are kept. */
export async function wordcountStage(ctx: StageContext<WordcountSlice>): Promise<StageResult> {
  const input = ctx.inputs.generate?.artifacts.records;
  if (!input) throw new DataError('wordcount: input generate.records is missing');
  const path = await ctx.download(input, 'records.jsonl');
  const counts = new Map<string, number>();
  let records = 0;
  for await (const record of readJsonl(path, DemoRecordSchema)) {
    for (const word of record.text.split(/\s+/).filter(Boolean))
      counts.set(word, (counts.get(word) ?? 0) + 1);
    records += 1;
    if (records % 1_000 === 0) ctx.heartbeat({ step: records, message: 'counting' });
  }
  const top = [...counts.entries()]
    .sort(([wordA, a], [wordB, b]) => b - a || (wordA < wordB ? -1 : 1))
    .slice(0, ctx.config.top);
  const outPath = join(ctx.workDir, 'wordcount.json');
  await writeFile(outPath, `${JSON.stringify(Object.fromEntries(top), null, 2)}\n`);
  await ctx.publish('wordcount', outPath, 'demo-wordcount', 'application/json');
  await ctx.logMetric('distinct_words', counts.size);
  return { summary: { records, distinctWords: counts.size } };
}
