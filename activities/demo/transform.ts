import { createHash } from 'node:crypto';
import { appendFile, copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { TransformSlice } from '../../lib/recipes/files-demo.ts';
import { DataError } from '../../lib/errors.ts';
import type { StageContext, StageResult } from '../framework/types.ts';
import { checkFault } from './faults.ts';
import { readJsonl } from '../../lib/jsonl.ts';
import { DemoRecordSchema, shardRange, type DemoRecord } from './records.ts';

/** Most records per batch between heartbeats and cancellation checks. */
const BATCH = 25;
/** A batch also ends after this long, so heartbeats flow whatever `rounds` costs. */
const BATCH_MS = 50;

/** The transformed form of one record: uppercase text, tokens, and a `rounds`-long sha256 chain. */
export function transformRecord(record: DemoRecord, rounds: number): string {
  let digest = `${record.id}:${record.text}`;
  for (let round = 0; round < rounds; round += 1)
    digest = createHash('sha256').update(digest).digest('hex');
  const upper = record.text.toUpperCase();
  return `${JSON.stringify({ id: record.id, upper, tokens: upper.split(/\s+/).filter(Boolean), digest })}\n`;
}

async function loadShard(
  ctx: StageContext<TransformSlice>,
): Promise<{ records: DemoRecord[]; start: number; total: number }> {
  const input = ctx.inputs.generate?.artifacts.records;
  if (!input) throw new DataError('transform: input generate.records is missing');
  const path = await ctx.download(input, 'records.jsonl');
  const all: DemoRecord[] = [];
  for await (const record of readJsonl(path, DemoRecordSchema)) all.push(record);
  const { start, end } = shardRange(
    all.length,
    Math.max(0, ctx.shard),
    Math.max(1, ctx.shardCount),
  );
  return { records: all.slice(start, end), start, total: all.length };
}

/**
 * Transforms one shard of the generated records. Every `checkpointEvery` records the partial
 * output is saved as a checkpoint; a retry (or a resumed run) continues after the last one, and
 * the final bytes equal those of an uninterrupted run.
 */
export async function transformStage(ctx: StageContext<TransformSlice>): Promise<StageResult> {
  const { rounds, checkpointEvery, fault } = ctx.config;
  const { records, start } = await loadShard(ctx);
  const outPath = join(ctx.workDir, 'transformed.jsonl');
  const checkpoint = await ctx.lastCheckpoint();
  let done = 0;
  if (checkpoint) {
    await copyFile(await ctx.download(checkpoint.ref, 'checkpoint.jsonl'), outPath);
    done = checkpoint.step;
  } else {
    await writeFile(outPath, '');
  }
  while (done < records.length) {
    ctx.signal.throwIfAborted();
    // Batches end on checkpoint boundaries, so checkpoints land on multiples of checkpointEvery.
    const nextCheckpoint = (Math.floor(done / checkpointEvery) + 1) * checkpointEvery;
    const limit = Math.min(records.length, done + BATCH, nextCheckpoint);
    const batchStarted = performance.now();
    let batchEnd = done;
    let chunk = '';
    while (batchEnd < limit && (batchEnd === done || performance.now() - batchStarted < BATCH_MS)) {
      const record = records[batchEnd]!;
      checkFault(fault, 'transform', record.id);
      chunk += transformRecord(record, rounds);
      batchEnd += 1;
    }
    await appendFile(outPath, chunk);
    done = batchEnd;
    if (done % checkpointEvery === 0 && done < records.length) {
      await ctx.saveCheckpoint(outPath, { step: done });
    }
    ctx.heartbeat({ step: done, total: records.length });
    await yieldToEventLoop();
  }
  await ctx.publish('transformed', outPath, 'demo-transformed', 'application/x-ndjson');
  return { summary: { records: records.length, firstRecord: start, rounds } };
}
