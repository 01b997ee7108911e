import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, ServiceUnavailableError } from '../../lib/errors.ts';
import { loadEnv } from '../../lib/env.ts';
import { useTempDirs } from '../../tests/support/temp-dirs.ts';
import { connectPg, createDb } from './client.ts';
import { migrateDatabase } from './migrate.ts';
import { DEFAULT_MIGRATIONS_DIR, readMigrations } from './migrations.ts';
import { openSchemaEngine, toMigrationList } from './schema-engine.ts';

const ADMIN_URL = loadEnv().DATABASE_URL;
const created: string[] = [];

/** An empty database (no template): what a fresh production database looks like. */
async function emptyDatabase(): Promise<string> {
  const name = `raglab_migrate_${randomBytes(4).toString('hex')}`;
  const admin = await connectPg(ADMIN_URL);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  created.push(name);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function query<T extends object>(url: string, sql: string): Promise<T[]> {
  const client = await connectPg(url);
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

const tempDir = useTempDirs();

function copyOfMigrations(): string {
  const dir = join(tempDir('migrations-'), 'migrations');
  cpSync(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

afterAll(async () => {
  const admin = await connectPg(ADMIN_URL);
  for (const name of created) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
});

describe('migrateDatabase', () => {
  it('applies once, records Prisma rows, and a second run is a no-op', async () => {
    const url = await emptyDatabase();
    const migrations = readMigrations();
    const names = migrations.map((migration) => migration.name);
    expect(await migrateDatabase({ databaseUrl: url })).toEqual({
      applied: names,
      alreadyApplied: [],
    });
    expect(await migrateDatabase({ databaseUrl: url })).toEqual({
      applied: [],
      alreadyApplied: names,
    });
    const rows = await query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      applied_steps_count: number;
    }>(
      url,
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(rows).toHaveLength(migrations.length);
    migrations.forEach((migration, index) => {
      expect(rows[index]).toMatchObject({
        migration_name: migration.name,
        checksum: migration.checksum,
        applied_steps_count: 1,
      });
      expect(rows[index]?.finished_at).toBeInstanceOf(Date);
    });
  });

  it("leaves nothing for Prisma's own engine to apply", async () => {
    const url = await emptyDatabase();
    await migrateDatabase({ databaseUrl: url });
    const engine = await openSchemaEngine(url, resolve(DEFAULT_MIGRATIONS_DIR, '../schema.prisma'));
    try {
      const result = await engine.applyMigrations({
        migrationsList: toMigrationList(DEFAULT_MIGRATIONS_DIR),
        filters: { externalTables: [], externalEnums: [] },
      });
      expect(result.appliedMigrationNames).toEqual([]);
    } finally {
      engine.free();
    }
  });

  it('lets two concurrent runners apply each migration exactly once', async () => {
    const url = await emptyDatabase();
    const results = await Promise.all([
      migrateDatabase({ databaseUrl: url }),
      migrateDatabase({ databaseUrl: url }),
    ]);
    expect(results.flatMap((result) => result.applied)).toHaveLength(readMigrations().length);
    const rows = await query<{ n: string }>(url, 'SELECT count(*) AS n FROM "_prisma_migrations"');
    expect(Number(rows[0]?.n)).toBe(readMigrations().length);
  });

  it('rolls back a failing migration and records nothing for it', async () => {
    const url = await emptyDatabase();
    const dir = copyOfMigrations();
    mkdirSync(join(dir, '29990101000000_broken'));
    writeFileSync(
      join(dir, '29990101000000_broken', 'migration.sql'),
      'CREATE TABLE "Half" (id INT);\nALTER TABLE "NoSuchTable" ADD COLUMN x INT;\n',
    );
    await expect(migrateDatabase({ databaseUrl: url, migrationsDir: dir })).rejects.toThrow(
      /29990101000000_broken.*NoSuchTable/s,
    );
    const tables = await query<{ table_name: string }>(
      url,
      `SELECT table_name FROM information_schema.tables WHERE table_name IN ('Half', 'Run')`,
    );
    expect(tables.map((row) => row.table_name)).toEqual(['Run']);
    const rows = await query<{ migration_name: string }>(
      url,
      'SELECT migration_name FROM "_prisma_migrations"',
    );
    expect(rows.map((row) => row.migration_name)).not.toContain('29990101000000_broken');
  });

  it('refuses a migration edited after it was applied', async () => {
    const url = await emptyDatabase();
    const dir = copyOfMigrations();
    await migrateDatabase({ databaseUrl: url, migrationsDir: dir });
    const [init] = readMigrations(dir);
    writeFileSync(init?.path ?? '', `${init?.sql}\n-- edited\n`);
    const attempt = migrateDatabase({ databaseUrl: url, migrationsDir: dir });
    await expect(attempt).rejects.toBeInstanceOf(DataError);
    await expect(migrateDatabase({ databaseUrl: url, migrationsDir: dir })).rejects.toThrow(
      /modified after it was applied/,
    );
  });
});

describe('an unreachable database', () => {
  const url = 'postgresql://raglab:raglab@127.0.0.1:1/raglab';

  it('fails Prisma queries with an error naming DATABASE_URL and host:port', async () => {
    const db = createDb(url);
    try {
      const attempt = db.experiment.findMany();
      await expect(attempt).rejects.toBeInstanceOf(ServiceUnavailableError);
      await expect(db.run.count()).rejects.toThrow(/DATABASE_URL=127\.0\.0\.1:1\/raglab/);
    } finally {
      await db.$disconnect();
    }
  });

  it('fails the migrate runner the same way', async () => {
    await expect(migrateDatabase({ databaseUrl: url })).rejects.toThrow(
      /DATABASE_URL=127\.0\.0\.1:1/,
    );
  });
});
