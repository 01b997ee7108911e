import { resolve, join } from 'node:path';

/** Where the stack keeps its state, all under the git-ignored data dir. */
export interface StackPaths {
  root: string;
  bin: string;
  run: string;
  logs: string;
  venv: string;
  downloads: string;
  temporal: string;
  postgres: string;
  minio: string;
}

/** Resolves the stack's folders under `dataDir` (RAG_R1_DATA_DIR, default `.data`). */
export function resolveStackPaths(dataDir: string, cwd: string = process.cwd()): StackPaths {
  const root = resolve(cwd, dataDir);
  return {
    root,
    bin: join(root, 'bin'),
    run: join(root, 'run'),
    logs: join(root, 'logs'),
    venv: join(root, 'venv'),
    downloads: join(root, 'downloads'),
    temporal: join(root, 'temporal'),
    postgres: join(root, 'postgres'),
    minio: join(root, 'minio'),
  };
}
