import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type pg from 'pg';
import { DataError } from '../../lib/errors.ts';
import { loadEnv } from '../../lib/env.ts';
import { connectPg } from './client.ts';
import { describeDatabaseUrl } from './connection-error.ts';
import { DEFAULT_MIGRATIONS_DIR, readMigrations, type Migration } from './migrations.ts';

/**
 * The advisory lock key Prisma Migrate itself takes, so this runner and a `prisma migrate
 * deploy` against the same database also wait for each other.
 */
export const PRISMA_MIGRATE_LOCK_KEY = 72707369;

/** Prisma's own bookkeeping table, column for column. */
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrateOptions {
  databaseUrl: string;
  migrationsDir?: string;
  log?: (line: string) => void;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/**
 * Applies pending migrations in name order, each with its `_prisma_migrations` row in one
 * transaction, so a failed script leaves neither schema changes nor a half-written row behind.
 * Rows match what Prisma writes, so `prisma migrate deploy` elsewhere sees them as applied.
 * A script that cannot run inside a transaction (CREATE INDEX CONCURRENTLY) must be applied by
 * `prisma migrate deploy` instead.
 */
export async function migrateDatabase(options: MigrateOptions): Promise<MigrateResult> {
  const migrations = readMigrations(options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  const log = options.log ?? (() => undefined);
  const client = await connectPg(options.databaseUrl);
  client.on('error', () => undefined);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK_KEY]);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const applied = await readAppliedRows(client);
    const result: MigrateResult = { applied: [], alreadyApplied: [] };
    for (const migration of migrations) {
      if (isAlreadyApplied(migration, applied.get(migration.name))) {
        result.alreadyApplied.push(migration.name);
        continue;
      }
      await applyMigration(client, migration);
      result.applied.push(migration.name);
      log(`applied ${migration.name}`);
    }
    return result;
  } finally {
    await client
      .query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK_KEY])
      .catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}

async function readAppliedRows(client: pg.Client): Promise<Map<string, AppliedRow[]>> {
  const { rows } = await client.query<AppliedRow>(
    `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"
     ORDER BY started_at`,
  );
  const byName = new Map<string, AppliedRow[]>();
  for (const row of rows)
    byName.set(row.migration_name, [...(byName.get(row.migration_name) ?? []), row]);
  return byName;
}

/**
 * Mirrors Prisma's rules: a rolled-back row does not count, an unfinished one blocks (P3009),
 * and an applied migration whose file changed since is refused rather than silently diverging.
 */
function isAlreadyApplied(migration: Migration, rows: AppliedRow[] | undefined): boolean {
  const live = (rows ?? []).filter((row) => row.rolled_back_at === null);
  if (live.length === 0) return false;
  const failed = live.find((row) => row.finished_at === null);
  if (failed) {
    throw new DataError(
      `migration ${migration.name} failed earlier and is recorded as unfinished in ` +
        `_prisma_migrations; fix the database, then \`prisma migrate resolve --rolled-back ${migration.name}\``,
    );
  }
  const mismatch = live.find((row) => row.checksum !== migration.checksum);
  if (mismatch) {
    throw new DataError(
      `${migration.path} was modified after it was applied (database checksum ` +
        `${mismatch.checksum}, file ${migration.checksum}); add a new migration instead`,
    );
  }
  return true;
}

async function applyMigration(client: pg.Client, migration: Migration): Promise<void> {
  await client.query('BEGIN');
  try {
    const startedAt = new Date();
    await client.query(migration.sql);
    await client.query(
      `INSERT INTO "_prisma_migrations"
         (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
       VALUES ($1, $2, now(), $3, NULL, NULL, $4, 1)`,
      [randomUUID(), migration.checksum, migration.name, startedAt],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    const detail = error instanceof Error ? error.message : String(error);
    throw new DataError(`${migration.path}: ${detail} (rolled back; nothing recorded)`, {
      cause: error,
    });
  }
}

async function main(): Promise<void> {
  const { DATABASE_URL } = loadEnv();
  const result = await migrateDatabase({
    databaseUrl: DATABASE_URL,
    log: (line) => console.log(line),
  });
  console.log(
    `${describeDatabaseUrl(DATABASE_URL)}: ${result.applied.length} applied, ` +
      `${result.alreadyApplied.length} already applied`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exitCode = 1;
  });
}
