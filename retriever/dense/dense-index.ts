import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactIntegrityError, DataError } from '../../lib/errors.ts';
import type { Passage } from '../../lib/retrieval/types.ts';
import type { RankedDocs } from '../bm25-searcher.ts';
import { DocStore } from '../doc-store.ts';
import { GrowableArray } from '../growable.ts';
import { IndexFile, writeIndexFile } from '../index-file.ts';
import { TempByteWriter } from '../temp-byte-writer.ts';
import { TopK } from '../top-k.ts';
import type { TextEncoder } from './encoder.ts';
import { HALF_TO_FLOAT, toHalf } from './float16.ts';

export const DENSE_INDEX_KIND = 'dense';

export interface BuildDenseIndexOptions {
  passages: AsyncIterable<Passage> | Iterable<Passage>;
  encoder: TextEncoder;
  out: string;
  precision?: 'float32' | 'float16';
  onProgress?: (passagesEncoded: number) => void;
  meta?: Record<string, unknown>;
}

/** Encodes every passage and writes the embeddings (row-major) plus the passages. */
export async function buildDenseIndex(
  options: BuildDenseIndexOptions,
): Promise<{ numDocs: number; dimension: number }> {
  const precision = options.precision ?? 'float32';
  const scratch = mkdtempSync(join(tmpdir(), 'rag-r1-dense-'));
  try {
    const contents = new TempByteWriter(join(scratch, 'contents.bin'));
    const full = new GrowableArray(Float32Array);
    const half = new GrowableArray(Uint16Array);
    const idBytes = new GrowableArray(Uint8Array);
    const idOffsets = new GrowableArray(Float64Array);
    const contentOffsets = new GrowableArray(Float64Array);
    idOffsets.push(0);
    contentOffsets.push(0);
    let batch: Passage[] = [];
    const flush = async (): Promise<void> => {
      const embedded = await options.encoder.encode(
        batch.map((p) => p.contents),
        'passage',
      );
      if (precision === 'float32') full.append(embedded);
      else half.append(Array.from(embedded, toHalf));
      for (const passage of batch) {
        idBytes.append(Buffer.from(passage.id));
        idOffsets.push(idBytes.length);
        contentOffsets.push(
          contentOffsets.get(contentOffsets.length - 1) + contents.writeString(passage.contents),
        );
      }
      batch = [];
      options.onProgress?.(idOffsets.length - 1);
    };
    for await (const passage of options.passages) {
      batch.push(passage);
      if (batch.length >= 256) await flush();
    }
    if (batch.length > 0) await flush();
    contents.close();
    const numDocs = idOffsets.length - 1;
    if (numDocs === 0) throw new DataError('corpus has no passages');
    const dimension = options.encoder.dimension;
    writeIndexFile(
      options.out,
      {
        kind: DENSE_INDEX_KIND,
        meta: { ...options.meta, numDocs, dimension, precision, encoder: options.encoder.config },
      },
      [
        precision === 'float32'
          ? { name: 'embeddings', type: 'f32', data: full.view() }
          : { name: 'embeddings', type: 'u16', data: half.view() },
        { name: 'idBytes', type: 'u8', data: idBytes.view() },
        { name: 'idOffsets', type: 'f64', data: idOffsets.view() },
        { name: 'contentOffsets', type: 'f64', data: contentOffsets.view() },
        {
          name: 'contentBytes',
          type: 'u8',
          file: contents.path,
          byteLength: contents.bytesWritten,
        },
      ],
    );
    return { numDocs, dimension };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Exact (brute-force) inner-product search over float32 or float16 embeddings. */
export class DenseIndex {
  readonly numDocs: number;
  readonly dimension: number;
  readonly docs: DocStore;
  private readonly embeddings: Float32Array | Uint16Array;

  constructor(readonly file: IndexFile) {
    if (file.header.kind !== DENSE_INDEX_KIND)
      throw new ArtifactIntegrityError(`${file.path}: not a dense index`);
    const meta = file.header.meta as { numDocs: number; dimension: number };
    this.numDocs = meta.numDocs;
    this.dimension = meta.dimension;
    this.embeddings = file.section('embeddings') as Float32Array | Uint16Array;
    this.docs = new DocStore(file);
  }

  static open(path: string): DenseIndex {
    return new DenseIndex(IndexFile.open(path));
  }

  /**
   * Top-k documents per query vector; the corpus is scanned once for the whole batch, and
   * queries go through each row three at a time, so a 3-query search call (the mq tool's)
   * loads every embedding once rather than three times. Each score is summed in the same
   * order as a one-query search, so the scores do not depend on the batch.
   */
  search(queries: Float32Array, k: number): RankedDocs[] {
    const dim = this.dimension;
    const count = queries.length / dim;
    const heaps = Array.from(
      { length: count },
      () => new TopK(Math.max(1, Math.min(k, this.numDocs))),
    );
    const push = (query: number, score: number, doc: number): void => {
      const heap = heaps[query]!;
      if (score >= heap.threshold) heap.push(score, doc);
    };
    const row = new Float32Array(dim);
    const half = this.embeddings instanceof Uint16Array ? this.embeddings : undefined;
    const full = half ? undefined : (this.embeddings as Float32Array);
    for (let doc = 0; doc < this.numDocs; doc += 1) {
      const base = doc * dim;
      // float16 rows are widened into `row`; a float32 row is read through a view from index
      // 0, which measured faster here than offset indexing into the whole matrix.
      if (half) for (let d = 0; d < dim; d += 1) row[d] = HALF_TO_FLOAT[half[base + d]!]!;
      const vector = full ? full.subarray(base, base + dim) : row;
      let q = 0;
      for (; q + 3 <= count; q += 3) {
        const a = q * dim;
        const b = a + dim;
        const c = b + dim;
        let scoreA = 0;
        let scoreB = 0;
        let scoreC = 0;
        for (let d = 0; d < dim; d += 1) {
          const value = vector[d]!;
          scoreA += queries[a + d]! * value;
          scoreB += queries[b + d]! * value;
          scoreC += queries[c + d]! * value;
        }
        push(q, scoreA, doc);
        push(q + 1, scoreB, doc);
        push(q + 2, scoreC, doc);
      }
      for (; q < count; q += 1) {
        const a = q * dim;
        let score = 0;
        for (let d = 0; d < dim; d += 1) score += queries[a + d]! * vector[d]!;
        push(q, score, doc);
      }
    }
    return heaps.map((heap) => heap.drain());
  }
}
