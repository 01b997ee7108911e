import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/errors.ts';
import { useTempDirs } from '../../tests/support/temp-dirs.ts';
import {
  DEFAULT_MIGRATIONS_DIR,
  migrationChecksum,
  migrationsFingerprint,
  readMigrations,
} from './migrations.ts';

const tempDir = useTempDirs();

function migrationsDir(folders: Record<string, string | null>): string {
  const dir = tempDir('migrations-');
  for (const [name, sql] of Object.entries(folders)) {
    mkdirSync(join(dir, name));
    if (sql !== null) writeFileSync(join(dir, name, 'migration.sql'), sql);
  }
  writeFileSync(join(dir, 'migration_lock.toml'), 'provider = "postgresql"\n');
  return dir;
}

describe('readMigrations', () => {
  it('returns folders in timestamp order with Prisma checksums', () => {
    const dir = migrationsDir({
      '20250102000000_second': 'SELECT 2;\n',
      '20250101000000_first': 'SELECT 1;\n',
    });
    const migrations = readMigrations(dir);
    expect(migrations.map((m) => m.name)).toEqual([
      '20250101000000_first',
      '20250102000000_second',
    ]);
    expect(migrations[0]?.checksum).toBe(createHash('sha256').update('SELECT 1;\n').digest('hex'));
  });

  it('rejects a folder without migration.sql, naming the path', () => {
    const dir = migrationsDir({ '20250101000000_empty': null });
    expect(() => readMigrations(dir)).toThrow(ConfigError);
    expect(() => readMigrations(dir)).toThrow(/20250101000000_empty.*migration\.sql/);
  });

  it('rejects folder names Prisma would not produce', () => {
    const dir = migrationsDir({ init: 'SELECT 1;' });
    expect(() => readMigrations(dir)).toThrow(/timestamp/);
  });

  it('finds the committed init migration', () => {
    const [init] = readMigrations(DEFAULT_MIGRATIONS_DIR);
    expect(init?.name).toMatch(/^\d{14}_init$/);
    expect(init?.sql).toContain('CREATE TABLE "Artifact"');
    expect(init?.checksum).toBe(migrationChecksum(readFileSync(init?.path ?? '')));
  });
});

describe('migrationsFingerprint', () => {
  it('changes when any script changes', () => {
    const a = readMigrations(migrationsDir({ '20250101000000_a': 'SELECT 1;' }));
    const b = readMigrations(migrationsDir({ '20250101000000_a': 'SELECT 2;' }));
    expect(migrationsFingerprint(a)).not.toBe(migrationsFingerprint(b));
    expect(migrationsFingerprint(a)).toMatch(/^[0-9a-f]{16}$/);
  });
});
