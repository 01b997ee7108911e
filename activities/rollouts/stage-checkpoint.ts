import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import type { RolloutCheckpoint } from '../../lib/agent/driver.ts';
import { createJsonlCheckpoint } from '../../lib/agent/jsonl-checkpoint.ts';
import type { StageContext } from '../framework/types.ts';

/**
 * A rollout checkpoint that survives the worker: results are appended to a local jsonl file and
 * the file is uploaded as the stage's checkpoint artifact after each saved batch. A retry on
 * another worker downloads it and the driver skips every finished question.
 */
export function createStageRolloutCheckpoint<T>(
  ctx: StageContext<unknown>,
  options: { name: string; schema: z.ZodType<T>; keyOf: (result: T) => string },
): RolloutCheckpoint<T> {
  const path = join(ctx.workDir, `${options.name}.partial.jsonl`);
  const local = createJsonlCheckpoint({ path, schema: options.schema, keyOf: options.keyOf });
  let saved = 0;
  return {
    async load() {
      const previous = await ctx.lastCheckpoint();
      if (previous) {
        await copyFile(await ctx.download(previous.ref, `${options.name}.resume.jsonl`), path);
        ctx.log.info('resuming rollouts from checkpoint', { finished: previous.step });
      }
      const results = await local.load();
      saved = results.size;
      return results;
    },
    async save(batch) {
      await local.save(batch);
      saved += batch.length;
      await ctx.saveCheckpoint(path, { step: saved });
    },
  };
}
