import type { PrismaClient } from '../../prisma/generated/client.ts';
import type { CachedAnswer, EvalCacheStore } from './run-evaluation.ts';

const READ_CHUNK = 5_000;

/** The evaluation cache on EvalCacheEntry rows; writes skip keys already present. */
export function createPrismaEvalCache(db: PrismaClient): EvalCacheStore {
  return {
    async getMany(keys) {
      const found = new Map<string, CachedAnswer>();
      for (let start = 0; start < keys.length; start += READ_CHUNK) {
        const rows = await db.evalCacheEntry.findMany({
          where: { key: { in: keys.slice(start, start + READ_CHUNK) } },
        });
        for (const row of rows) {
          found.set(row.key, { ...row, summary: (row.summary ?? null) as CachedAnswer['summary'] });
        }
      }
      return found;
    },
    async putMany(entries) {
      if (entries.length === 0) return;
      await db.evalCacheEntry.createMany({
        data: entries.map((entry) => ({ ...entry, summary: entry.summary ?? undefined })),
        skipDuplicates: true,
      });
    },
  };
}
