import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import type { GenerateSlice } from '../../lib/recipes/files-demo.ts';
import type { StageContext, StageResult } from '../framework/types.ts';
import { createSeededRandom } from '../../lib/random.ts';
import { generateText } from './records.ts';

const HEARTBEAT_EVERY = 1_000;

/** Writes `records` seeded records as jsonl and publishes them as `records`. */
export async function generateStage(ctx: StageContext<GenerateSlice>): Promise<StageResult> {
  const { seed, records, wordsPerRecord } = ctx.config;
  const path = join(ctx.workDir, 'records.jsonl');
  const out = createWriteStream(path);
  const random = createSeededRandom(seed);
  for (let id = 0; id < records; id += 1) {
    if (!out.write(`${JSON.stringify({ id, text: generateText(random, wordsPerRecord) })}\n`)) {
      await once(out, 'drain');
    }
    if ((id + 1) % HEARTBEAT_EVERY === 0) {
      ctx.signal.throwIfAborted();
      ctx.heartbeat({ step: id + 1, total: records });
    }
  }
  out.end();
  await once(out, 'finish');
  ctx.heartbeat({ step: records, total: records });
  const ref = await ctx.publish('records', path, 'demo-records', 'application/x-ndjson');
  return { summary: { records, bytes: ref.bytes } };
}
