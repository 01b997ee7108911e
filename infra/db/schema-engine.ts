import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm';
import type * as SchemaEngineWasm from '@prisma/schema-engine-wasm';
import { readMigrations } from './migrations.ts';

type WasmExports = Record<string, unknown>;

type SchemaEngineGlue = typeof SchemaEngineWasm & {
  __wbg_set_wasm(exports: WasmExports): void;
};

/** tsconfig's lib has no DOM, so the global WebAssembly object is typed here by hand. */
interface WasmApi {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: WasmExports } }>;
}

let gluePromise: Promise<SchemaEngineGlue> | undefined;

/** The package's entry imports the .wasm as an ES module, which Node cannot; instantiate once by hand. */
async function loadGlue(): Promise<SchemaEngineGlue> {
  const require = createRequire(import.meta.url);
  const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  const glue = (await import(gluePath)) as SchemaEngineGlue;
  const wasmBytes = readFileSync(
    gluePath.replace(/schema_engine_bg\.js$/, 'schema_engine_bg.wasm'),
  );
  const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const { instance } = await wasm.instantiate(wasmBytes, { './schema_engine_bg.js': glue });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports['__wbindgen_start'] as () => void)();
  return glue;
}

/**
 * Prisma's own schema engine, as WebAssembly driving a pg driver adapter: the CLI's native engine
 * cannot be downloaded here. Used by tests as the oracle that `prisma migrate deploy` would see
 * our runner's migrations as applied. Not for production paths: this engine build is newer than
 * the pinned pg adapter, and introspection (diff from a live database) fails on pg "char" columns.
 */
export async function openSchemaEngine(
  databaseUrl: string,
  schemaPath: string,
): Promise<SchemaEngine> {
  gluePromise ??= loadGlue();
  const glue = await gluePromise;
  const schema = readFileSync(schemaPath, 'utf8');
  const adapter = bindMigrationAwareSqlAdapterFactory(
    new PrismaPg({ connectionString: databaseUrl }),
  );
  return glue.SchemaEngine.new({ datamodels: [[schemaPath, schema]] }, () => undefined, adapter);
}

/** The committed migrations in the shape the engine's commands take. */
export function toMigrationList(migrationsDir: string): MigrationList {
  return {
    baseDir: migrationsDir,
    lockfile: {
      path: 'migration_lock.toml',
      content: readFileSync(join(migrationsDir, 'migration_lock.toml'), 'utf8'),
    },
    shadowDbInitScript: '',
    migrationDirectories: readMigrations(migrationsDir).map((migration) => ({
      path: migration.name,
      migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: migration.sql } },
    })),
  };
}
