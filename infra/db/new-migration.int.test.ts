import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv } from '../../lib/env.ts';
import { connectPg } from './client.ts';
import { DEFAULT_MIGRATIONS_DIR } from './migrations.ts';
import { diffSchemas, migrationTimestamp } from './new-migration.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

const schema = readFileSync(resolve(DEFAULT_MIGRATIONS_DIR, '../schema.prisma'), 'utf8');
const databaseUrl = loadEnv().DATABASE_URL;
let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
});

afterAll(async () => {
  await testDb.drop();
});

describe('diffSchemas (Prisma schema engine, WebAssembly)', () => {
  it('finds nothing to do between identical schemas', async () => {
    expect(await diffSchemas({ fromSchema: schema, toSchema: schema, databaseUrl })).toBe('');
  });

  it('writes the ALTER a new field needs, and it applies to a migrated database', async () => {
    const changed = schema.replace(
      '  mlflowRunId    String?',
      '  mlflowRunId    String?\n  notes String?',
    );
    expect(changed).not.toBe(schema);
    const sql = await diffSchemas({ fromSchema: schema, toSchema: changed, databaseUrl });
    expect(sql).toContain('ALTER TABLE "Run" ADD COLUMN     "notes" TEXT;');
    const client = await connectPg(testDb.url);
    try {
      await client.query(sql);
      const { rows } = await client.query(
        `SELECT column_name FROM information_schema.columns WHERE table_name = 'Run' AND column_name = 'notes'`,
      );
      expect(rows).toHaveLength(1);
    } finally {
      await client.end();
    }
  });

  it('names folders with Prisma timestamps', () => {
    expect(migrationTimestamp(new Date('2026-01-02T03:04:05.678Z'))).toBe('20260102030405');
  });
});
