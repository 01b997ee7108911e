import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../../lib/errors.ts';
import { loadEnv } from '../../lib/env.ts';
import { DEFAULT_MIGRATIONS_DIR } from './migrations.ts';
import { openSchemaEngine } from './schema-engine.ts';

export interface DiffSchemasOptions {
  /** The schema the committed migrations produce; undefined diffs from an empty database. */
  fromSchema: string | undefined;
  toSchema: string;
  /** Any reachable PostgreSQL server; the engine checks its version, it changes nothing. */
  databaseUrl: string;
}

/** Prisma's folder timestamp: UTC `YYYYMMDDHHMMSS`. */
export function migrationTimestamp(now: Date): string {
  return now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/**
 * The SQL Prisma Migrate would generate to go from one schema.prisma to another, computed by
 * Prisma's own schema engine (WebAssembly build). Empty when the schemas are equivalent.
 */
export async function diffSchemas(options: DiffSchemasOptions): Promise<string> {
  const schemaPath = resolve(DEFAULT_MIGRATIONS_DIR, '../schema.prisma');
  const engine = await openSchemaEngine(options.databaseUrl, schemaPath);
  try {
    const { stdout } = await engine.diff({
      from:
        options.fromSchema === undefined
          ? { tag: 'empty' }
          : {
              tag: 'schemaDatamodel',
              files: [{ path: 'from.prisma', content: options.fromSchema }],
            },
      to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: options.toSchema }] },
      script: true,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    });
    const sql = (stdout ?? '').trim();
    return sql === '-- This is an empty migration.' ? '' : sql;
  } finally {
    engine.free();
  }
}

/** schema.prisma as of the last commit: by our convention it matches the committed migrations. */
function committedSchema(): string {
  return execFileSync('git', ['show', 'HEAD:prisma/schema.prisma'], { encoding: 'utf8' });
}

async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name || !/^[a-z0-9_]+$/.test(name)) {
    throw new ConfigError(
      'usage: tsx infra/db/new-migration.ts <snake_case_name> [from-schema-file]',
    );
  }
  const fromFile = process.argv[3];
  const sql = await diffSchemas({
    fromSchema: fromFile ? readFileSync(fromFile, 'utf8') : committedSchema(),
    toSchema: readFileSync(resolve(DEFAULT_MIGRATIONS_DIR, '../schema.prisma'), 'utf8'),
    databaseUrl: loadEnv().DATABASE_URL,
  });
  if (sql === '') {
    console.log('schema.prisma has no changes against the committed one; nothing written');
    return;
  }
  const folder = join(DEFAULT_MIGRATIONS_DIR, `${migrationTimestamp(new Date())}_${name}`);
  mkdirSync(folder);
  writeFileSync(join(folder, 'migration.sql'), `${sql}\n`);
  console.log(`wrote ${folder}/migration.sql; review it, then npm run db:migrate`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exitCode = 1;
  });
}
