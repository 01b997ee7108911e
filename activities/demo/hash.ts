import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { HashSlice } from '../../lib/recipes/files-demo.ts';
import { DataError } from '../../lib/errors.ts';
import type { StageContext, StageResult } from '../framework/types.ts';
import { checkFault } from './faults.ts';
import { merkleRoot } from './merkle.ts';

async function lineHashes(path: string, onLine: () => void): Promise<string[]> {
  const hashes: string[] = [];
  for await (const line of createInterface({
    input: createReadStream(path),
    crlfDelay: Infinity,
  })) {
    onLine();
    hashes.push(createHash('sha256').update(line).digest('hex'));
  }
  return hashes;
}

/** Merkle root over the transformed shards (a root per shard, lines as leaves) and the word counts. */
export async function hashStage(ctx: StageContext<HashSlice>): Promise<StageResult> {
  const transform = ctx.inputs.transform;
  const wordcount = ctx.inputs.wordcount?.artifacts.wordcount;
  if (!transform || !wordcount)
    throw new DataError('hash: inputs transform and wordcount are required');
  const shards = transform.shards ?? [transform];
  const shardRoots: string[] = [];
  let line = 0;
  for (const [index, shard] of shards.entries()) {
    const ref = shard.artifacts.transformed;
    if (!ref) throw new DataError(`hash: transform shard ${index} has no "transformed" artifact`);
    const path = await ctx.download(ref, `shard-${index}.jsonl`);
    const leaves = await lineHashes(path, () => {
      checkFault(ctx.config.fault, 'hash', line);
      line += 1;
    });
    shardRoots.push(merkleRoot(leaves));
    ctx.heartbeat({
      step: index + 1,
      total: shards.length,
      message: `shard ${index}: ${leaves.length} lines`,
    });
  }
  const root = merkleRoot([...shardRoots, wordcount.sha256]);
  const outPath = join(ctx.workDir, 'merkle.json');
  await writeFile(
    outPath,
    `${JSON.stringify({ root, shardRoots, wordcount: wordcount.sha256, lines: line }, null, 2)}\n`,
  );
  await ctx.publish('merkle', outPath, 'demo-merkle', 'application/json');
  return { summary: { root, lines: line, shards: shards.length } };
}
