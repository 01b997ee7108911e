import { randomBytes } from 'node:crypto';
import { loadEnv } from '../../lib/env.ts';
import { ServiceUnavailableError } from '../../lib/errors.ts';
import { connectPg, createDb, type PrismaClient } from './client.ts';
import { migrateDatabase } from './migrate.ts';
import { DEFAULT_MIGRATIONS_DIR, migrationsFingerprint, readMigrations } from './migrations.ts';

/** Serialises template creation across test processes (any constant distinct from Prisma's). */
const TEMPLATE_LOCK_KEY = 72707370;

export interface TestDatabase {
  /** Connection URL of the fresh database. */
  url: string;
  /** A client on it; `drop()` disconnects it. */
  db: PrismaClient;
  /** Disconnects and drops the database (even with stray sessions still open). */
  drop(): Promise<void>;
}

export interface CreateTestDatabaseOptions {
  /** Server to create the database on (its user needs CREATEDB); default DATABASE_URL. */
  adminUrl?: string;
  migrationsDir?: string;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function explainCreateFailure(error: unknown, adminUrl: string): unknown {
  const code = (error as { code?: unknown }).code;
  if (code === '42501') {
    const user = new URL(adminUrl).username;
    return new ServiceUnavailableError(
      `the DATABASE_URL user "${user}" may not CREATE DATABASE; integration tests need CREATEDB ` +
        `(ALTER ROLE ${quoteIdent(user)} CREATEDB)`,
    );
  }
  return error;
}

/**
 * Ensures a template database migrated to exactly the committed migrations exists. Its name
 * carries a fingerprint of the migrations, so editing or adding one builds a new template.
 */
async function ensureTemplate(adminUrl: string, migrationsDir: string): Promise<string> {
  const name = `raglab_template_${migrationsFingerprint(readMigrations(migrationsDir))}`;
  const admin = await connectPg(adminUrl);
  try {
    await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return name;
    // Built under a scratch name and renamed, so a crash mid-migration never leaves a
    // half-migrated database under the template's name.
    const scratch = `${name}_building`;
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(scratch)} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${quoteIdent(scratch)}`).catch((error: unknown) => {
      throw explainCreateFailure(error, adminUrl);
    });
    await migrateDatabase({ databaseUrl: withDatabase(adminUrl, scratch), migrationsDir });
    await admin.query(`ALTER DATABASE ${quoteIdent(scratch)} RENAME TO ${quoteIdent(name)}`);
    return name;
  } finally {
    await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY]).catch(() => undefined);
    await admin.end();
  }
}

/**
 * A fresh, fully migrated database for one integration test file: a `CREATE DATABASE ...
 * TEMPLATE` clone of a migrated template (milliseconds, versus replaying migrations).
 */
export async function createTestDatabase(
  options: CreateTestDatabaseOptions = {},
): Promise<TestDatabase> {
  const adminUrl = options.adminUrl ?? loadEnv().DATABASE_URL;
  const template = await ensureTemplate(adminUrl, options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  const name = `raglab_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = await connectPg(adminUrl);
  try {
    await admin.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`);
  } catch (error) {
    throw explainCreateFailure(error, adminUrl);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  const db = createDb(url);
  return {
    url,
    db,
    async drop() {
      await db.$disconnect();
      const dropper = await connectPg(adminUrl);
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
