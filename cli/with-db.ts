import type { PrismaClient } from '../prisma/generated/client.ts';
import { loadEnv } from '../lib/env.ts';

/** Runs `fn` with a registry client that is always disconnected afterwards. */
export async function withDb<T>(fn: (db: PrismaClient) => Promise<T>): Promise<T> {
  const { createDb } = await import('../infra/db/client.ts');
  const db = createDb(loadEnv().DATABASE_URL);
  try {
    return await fn(db);
  } finally {
    await db.$disconnect();
  }
}
