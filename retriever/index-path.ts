import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../lib/errors.ts';

/** The BM25 index file inside an index directory written by `rag-r1 index build`. */
export const BM25_INDEX_FILE = 'bm25.idx';

/** Accepts an index directory or the index file itself. */
export function resolveBm25IndexPath(indexDirOrFile: string): string {
  if (!existsSync(indexDirOrFile))
    throw new ConfigError(`--index ${indexDirOrFile}: no such file or directory`);
  if (!statSync(indexDirOrFile).isDirectory()) return indexDirOrFile;
  const file = join(indexDirOrFile, BM25_INDEX_FILE);
  if (!existsSync(file))
    throw new ConfigError(
      `--index ${indexDirOrFile}: has no ${BM25_INDEX_FILE} (build it with rag-r1 index build)`,
    );
  return file;
}
