import type { PrismaClient } from '../../prisma/generated/client.ts';
import { StageOutputSchema, type StageOutput } from '../../lib/stages/output.ts';

/** A completed output found by cache key. */
export interface CachedOutput {
  outputs: StageOutput;
  runId: string;
}

/**
 * The completed output stored under `cacheKey`. With `onlyRunId` (a forced run) only this
 * run's own results count: forcing recomputes what other runs produced, not what it just did.
 */
export async function findCachedOutput(
  db: PrismaClient,
  cacheKey: string,
  onlyRunId?: string,
): Promise<CachedOutput | undefined> {
  const row = await db.stageCache.findUnique({ where: { cacheKey } });
  if (!row || (onlyRunId !== undefined && row.runId !== onlyRunId)) return undefined;
  const parsed = StageOutputSchema.safeParse(row.outputs);
  return parsed.success ? { outputs: parsed.data, runId: row.runId } : undefined;
}

/** Publishes a completed output under its key (a forced recompute replaces the entry). */
export async function storeCachedOutput(
  db: PrismaClient,
  entry: { cacheKey: string; stage: string; runId: string; outputs: StageOutput },
): Promise<void> {
  const data = { stage: entry.stage, runId: entry.runId, outputs: entry.outputs as object };
  await db.stageCache.upsert({
    where: { cacheKey: entry.cacheKey },
    create: { cacheKey: entry.cacheKey, ...data },
    update: data,
  });
}
