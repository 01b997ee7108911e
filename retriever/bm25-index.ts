import { ArtifactIntegrityError } from '../lib/errors.ts';
import { BM25_INDEX_KIND } from './bm25-builder.ts';
import type { Bm25Params } from './bm25-params.ts';
import { BM25_SEARCH_SECTIONS, type Bm25SearchArrays } from './bm25-searcher.ts';
import { DocStore } from './doc-store.ts';
import { computeTermMaxScores } from './maxscore.ts';
import { IndexFile } from './index-file.ts';

export interface Bm25IndexMeta {
  params: Bm25Params;
  numDocs: number;
  numTerms: number;
  numPostings: number;
  averageLength: number;
  [key: string]: unknown;
}

export interface LoadedBm25Index {
  file: IndexFile;
  meta: Bm25IndexMeta;
  arrays: Bm25SearchArrays;
  docs: DocStore;
}

export interface LoadBm25IndexOptions {
  /** Put search arrays in SharedArrayBuffers so worker threads can use them without copies. */
  shared?: boolean;
  /** Keep passage text in memory instead of reading it from the file per hit. */
  docsInMemory?: boolean;
}

/** Opens an index file written by `buildBm25Index`. */
export function loadBm25Index(path: string, options: LoadBm25IndexOptions = {}): LoadedBm25Index {
  const file = IndexFile.open(path);
  if (file.header.kind !== BM25_INDEX_KIND) {
    void file.close();
    throw new ArtifactIntegrityError(
      `${path}: a ${file.header.kind} index, not ${BM25_INDEX_KIND}`,
    );
  }
  const meta = file.header.meta as Bm25IndexMeta;
  const shared = options.shared ?? false;
  const stored = BM25_SEARCH_SECTIONS.filter((name) => name !== 'termMaxScores' || file.has(name));
  const sections = Object.fromEntries(stored.map((name) => [name, file.section(name, shared)]));
  const arrays = {
    termStart: sections.termStart,
    postingDocs: sections.postingDocs,
    postingScores: sections.postingScores,
    nonOccurrence: sections.nonOccurrence,
    termMaxScores: sections.termMaxScores ?? maxScoresFor(sections, meta.numTerms, shared),
    termBytes: sections.termBytes,
    termOffsets: sections.termOffsets,
    slots: sections.termSlots,
    numDocs: meta.numDocs,
    tokenizer: meta.params.tokenizer,
  } as Bm25SearchArrays;
  return { file, meta, arrays, docs: new DocStore(file, { inMemory: options.docsInMemory }) };
}

/** Index files written before `termMaxScores` existed: compute the bounds once at load. */
function maxScoresFor(
  sections: Record<string, unknown>,
  numTerms: number,
  shared: boolean,
): Float32Array {
  const bytes = numTerms * Float32Array.BYTES_PER_ELEMENT;
  const out = new Float32Array(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  return computeTermMaxScores(
    sections.termStart as Uint32Array,
    sections.postingScores as Float32Array,
    out,
  );
}
