import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../lib/errors.ts';

/** The committed migrations, in Prisma's layout: `<dir>/<timestamp>_<name>/migration.sql`. */
export const DEFAULT_MIGRATIONS_DIR = resolve(
  fileURLToPath(new URL('.', import.meta.url)),
  '../../prisma/migrations',
);

/** One migration folder as Prisma sees it. */
export interface Migration {
  /** Folder name, e.g. `20261123114649_init`; Prisma's `migration_name`. */
  name: string;
  /** Path of its `migration.sql`, for error messages. */
  path: string;
  sql: string;
  /** Hex sha256 of the file's bytes: what Prisma stores in `_prisma_migrations.checksum`. */
  checksum: string;
}

const MIGRATION_NAME = /^\d{14}_[A-Za-z0-9_-]+$/;

/** Prisma's checksum of a migration script: sha256 of its bytes, lowercase hex. */
export function migrationChecksum(sql: string | Buffer): string {
  return createHash('sha256').update(sql).digest('hex');
}

/**
 * Reads every migration folder in name order (Prisma applies them lexicographically, and the
 * timestamp prefix makes that chronological). A folder without `migration.sql` or with a name
 * Prisma would not produce is an error naming the path.
 */
export function readMigrations(migrationsDir: string = DEFAULT_MIGRATIONS_DIR): Migration[] {
  if (!existsSync(migrationsDir)) {
    throw new ConfigError(`migrations folder ${migrationsDir} does not exist`);
  }
  const folders = readdirSync(migrationsDir)
    .filter((entry) => statSync(join(migrationsDir, entry)).isDirectory())
    .sort();
  return folders.map((name) => {
    const path = join(migrationsDir, name, 'migration.sql');
    if (!MIGRATION_NAME.test(name)) {
      throw new ConfigError(
        `${join(migrationsDir, name)}: expected a <14-digit timestamp>_<name> folder`,
      );
    }
    if (!existsSync(path))
      throw new ConfigError(`${path}: missing (every migration folder needs one)`);
    const bytes = readFileSync(path);
    return { name, path, sql: bytes.toString('utf8'), checksum: migrationChecksum(bytes) };
  });
}

/** One short hash over all migrations: names a template database built from exactly these. */
export function migrationsFingerprint(migrations: readonly Migration[]): string {
  const hash = createHash('sha256');
  for (const migration of migrations) hash.update(`${migration.name}:${migration.checksum}\n`);
  return hash.digest('hex').slice(0, 16);
}
