import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { ArtifactIntegrityError, DataError } from '../../lib/errors.ts';
import type { Passage } from '../../lib/retrieval/types.ts';
import type { RankedDocs } from '../bm25-searcher.ts';
import { DocStore } from '../doc-store.ts';
import { GrowableArray } from '../growable.ts';
import { IndexFile, writeIndexFile } from '../index-file.ts';
import { TempByteWriter } from '../temp-byte-writer.ts';
import { TopK } from '../top-k.ts';
import type { TextEncoder } from './encoder.ts';
import { toHalf } from './float16.ts';

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

/**
 * Rows per onnxruntime run. A float16 block is widened to float32 inside the graph; at 16k rows
 * x 384 that stays in cache, and 100k rows measured 13 ms in blocks against 23 ms in one run.
 * Between runs the event loop gets a turn (onnxruntime-node runs on the calling thread).
 */
const ROWS_PER_RUN = 16_384;

/**
 * Exact (brute-force) inner-product search over float32 or float16 embeddings. The scan is a
 * matrix product in onnxruntime (MLAS, all cores): one pass over the embeddings serves every
 * query of a batch, so a 3-query search call (the mq tool's) reads each row once.
 */
export class DenseIndex {
  readonly numDocs: number;
  readonly dimension: number;
  readonly precision: 'float32' | 'float16';
  readonly docs: DocStore;
  private readonly embeddings: Float32Array | Uint16Array;
  private scanSession?: Promise<ort.InferenceSession>;

  constructor(readonly file: IndexFile) {
    if (file.header.kind !== DENSE_INDEX_KIND)
      throw new ArtifactIntegrityError(`${file.path}: not a dense index`);
    const meta = file.header.meta as { numDocs: number; dimension: number };
    this.numDocs = meta.numDocs;
    this.dimension = meta.dimension;
    this.embeddings = file.section('embeddings') as Float32Array | Uint16Array;
    this.precision = this.embeddings instanceof Uint16Array ? 'float16' : 'float32';
    this.docs = new DocStore(file);
  }

  static open(path: string): DenseIndex {
    return new DenseIndex(IndexFile.open(path));
  }

  /**
   * Top-k documents per query vector (row-major `count x dimension`). Scores are float32 sums
   * from MLAS, whose kernel for one query differs from its kernel for several: a query's
   * scores can differ in the last bit with the batch it is in, and only exact ties would rank
   * differently. Equal scores rank the lower document first.
   */
  async search(queries: Float32Array, k: number): Promise<RankedDocs[]> {
    const dim = this.dimension;
    if (queries.length % dim !== 0) {
      throw new DataError(
        `${this.file.path}: query vectors of ${queries.length} values are not rows of this ` +
          `index's dimension ${dim} (was the index built with another encoder?)`,
      );
    }
    const count = queries.length / dim;
    if (count === 0) return [];
    const keep = Math.max(1, Math.min(k, this.numDocs));
    const heaps = Array.from({ length: count }, () => new TopK(keep));
    const columns = new Float32Array(queries.length);
    for (let q = 0; q < count; q += 1)
      for (let d = 0; d < dim; d += 1) columns[d * count + q] = queries[q * dim + d]!;
    const feeds = { queries: new ort.Tensor('float32', columns, [dim, count]) };
    const session = await this.session();
    for (let first = 0; first < this.numDocs; first += ROWS_PER_RUN) {
      const rows = Math.min(ROWS_PER_RUN, this.numDocs - first);
      const block = this.embeddings.subarray(first * dim, (first + rows) * dim);
      const found = await session.run({
        ...feeds,
        embeddings: new ort.Tensor(this.precision, block, [rows, dim]),
        k: new ort.Tensor('int64', BigInt64Array.of(BigInt(Math.min(keep, rows))), [1]),
      });
      const scores = found.scores!.data as Float32Array;
      const docs = found.rows_found!.data as BigInt64Array;
      // [k, batch]: entry i * count + q is query q's i-th best row of this block.
      for (let i = 0; i < scores.length; i += 1)
        heaps[i % count]!.push(scores[i]!, first + Number(docs[i]!));
    }
    return heaps.map((heap) => heap.drain());
  }

  async close(): Promise<void> {
    const session = await this.scanSession;
    this.scanSession = undefined;
    await session?.release();
    await this.file.close();
  }

  private session(): Promise<ort.InferenceSession> {
    // No spinning between runs: idle threads spinning after a scan would take the cores from
    // the query encoder of the next batch (encoder.ts turns it off for the same reason).
    this.scanSession ??= ort.InferenceSession.create(
      fileURLToPath(new URL(`./scan-${this.precision}.onnx`, import.meta.url)),
      { extra: { session: { intra_op: { allow_spinning: '0' } } } },
    );
    return this.scanSession;
  }
}
