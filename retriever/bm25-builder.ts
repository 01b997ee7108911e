import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError } from '../lib/errors.ts';
import type { Passage } from '../lib/retrieval/types.ts';
import {
  Bm25ParamsSchema,
  hasNonOccurrenceScore,
  inverseDocumentFrequency,
  termFrequencyComponent,
  type Bm25Params,
} from './bm25-params.ts';
import { GrowableArray } from './growable.ts';
import { computeTermMaxScores } from './maxscore.ts';
import { writeIndexFile, type SectionSource } from './index-file.ts';
import { TempByteWriter } from './temp-byte-writer.ts';
import { createTokenizer } from './tokenizer.ts';
import { buildVocabArrays } from './vocab-table.ts';

export const BM25_INDEX_KIND = 'bm25';

export interface BuildBm25IndexOptions {
  passages: AsyncIterable<Passage> | Iterable<Passage>;
  /** The index file to write. */
  out: string;
  params?: Partial<Bm25Params>;
  /** Called every 10,000 passages. */
  onProgress?: (passagesRead: number) => void;
  /** Free-form facts recorded in the header (corpus path, hash, ...). */
  meta?: Record<string, unknown>;
}

export interface Bm25BuildStats {
  numDocs: number;
  numTerms: number;
  numPostings: number;
  averageLength: number;
  seconds: number;
}

/** Postings in document order, as they arrive from the stream. */
interface Collected {
  terms: string[];
  postingTerm: GrowableArray<Uint32Array>;
  postingTf: GrowableArray<Uint32Array>;
  docPostingEnd: GrowableArray<Uint32Array>;
  docLength: GrowableArray<Uint32Array>;
  idBytes: GrowableArray<Uint8Array>;
  idOffsets: GrowableArray<Float64Array>;
  contentOffsets: GrowableArray<Float64Array>;
}

/**
 * Streams a corpus once, then writes a BM25 index file with eagerly computed per-posting scores
 * in CSR layout (the layout bm25s uses), plus the passages for lookup by document number.
 */
export async function buildBm25Index(options: BuildBm25IndexOptions): Promise<Bm25BuildStats> {
  const started = performance.now();
  const params = Bm25ParamsSchema.parse(options.params ?? {});
  const scratch = mkdtempSync(join(tmpdir(), 'rag-r1-bm25-'));
  try {
    const contents = new TempByteWriter(join(scratch, 'contents.bin'));
    const collected = await collectPostings(options, params, contents);
    contents.close();
    const numDocs = collected.docLength.length;
    if (numDocs === 0) throw new DataError('corpus has no passages');
    const { sections, averageLength } = layoutSections(collected, params);
    sections.push({
      name: 'contentBytes',
      type: 'u8',
      file: contents.path,
      byteLength: contents.bytesWritten,
    });
    const meta = {
      ...options.meta,
      params,
      numDocs,
      numTerms: collected.terms.length,
      numPostings: collected.postingTerm.length,
      averageLength,
    };
    writeIndexFile(options.out, { kind: BM25_INDEX_KIND, meta }, sections);
    return {
      numDocs,
      numTerms: collected.terms.length,
      numPostings: collected.postingTerm.length,
      averageLength,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function collectPostings(
  options: BuildBm25IndexOptions,
  params: Bm25Params,
  contents: TempByteWriter,
): Promise<Collected> {
  const tokenize = createTokenizer(params.tokenizer);
  const termIds = new Map<string, number>();
  const lastDoc = new GrowableArray(Int32Array);
  const localIndex = new GrowableArray(Uint32Array);
  const c: Collected = {
    terms: [],
    postingTerm: new GrowableArray(Uint32Array, 1 << 20),
    postingTf: new GrowableArray(Uint32Array, 1 << 20),
    docPostingEnd: new GrowableArray(Uint32Array),
    docLength: new GrowableArray(Uint32Array),
    idBytes: new GrowableArray(Uint8Array),
    idOffsets: new GrowableArray(Float64Array),
    contentOffsets: new GrowableArray(Float64Array),
  };
  c.idOffsets.push(0);
  c.contentOffsets.push(0);
  const encoder = new TextEncoder();
  let doc = 0;
  for await (const passage of options.passages) {
    const tokens = tokenize(passage.contents);
    const docStart = c.postingTerm.length;
    for (const token of tokens) {
      let id = termIds.get(token);
      if (id === undefined) {
        id = c.terms.length;
        termIds.set(token, id);
        c.terms.push(token);
        lastDoc.push(-1);
        localIndex.push(0);
      }
      if (lastDoc.get(id) === doc) {
        const at = docStart + localIndex.get(id);
        c.postingTf.view()[at] = c.postingTf.get(at) + 1;
        continue;
      }
      lastDoc.view()[id] = doc;
      localIndex.view()[id] = c.postingTerm.length - docStart;
      c.postingTerm.push(id);
      c.postingTf.push(1);
    }
    c.docPostingEnd.push(c.postingTerm.length);
    c.docLength.push(tokens.length);
    c.idBytes.append(encoder.encode(passage.id));
    c.idOffsets.push(c.idBytes.length);
    c.contentOffsets.push(c.contentOffsets.get(doc) + contents.writeString(passage.contents));
    doc += 1;
    if (doc % 10_000 === 0) options.onProgress?.(doc);
  }
  return c;
}

function layoutSections(
  c: Collected,
  params: Bm25Params,
): { sections: SectionSource[]; averageLength: number } {
  const numDocs = c.docLength.length;
  const numTerms = c.terms.length;
  const postingTerm = c.postingTerm.view();
  const postingTf = c.postingTf.view();
  const docLength = c.docLength.view();
  const docEnd = c.docPostingEnd.view();
  let totalLength = 0;
  for (let doc = 0; doc < numDocs; doc += 1) totalLength += docLength[doc]!;
  const averageLength = totalLength / numDocs || 1;
  const termStart = new Uint32Array(numTerms + 1);
  for (let p = 0; p < postingTerm.length; p += 1) termStart[postingTerm[p]! + 1]! += 1;
  const idf = new Float64Array(numTerms);
  const nonOccurrence = new Float32Array(hasNonOccurrenceScore(params.method) ? numTerms : 0);
  for (let t = 0; t < numTerms; t += 1) {
    idf[t] = inverseDocumentFrequency(params.method, termStart[t + 1]!, numDocs);
    if (nonOccurrence.length > 0) {
      nonOccurrence[t] = idf[t]! * termFrequencyComponent(params, 0, averageLength, averageLength);
    }
    termStart[t + 1]! += termStart[t]!;
  }
  const cursor = termStart.slice(0, numTerms);
  const postingDocs = new Uint32Array(postingTerm.length);
  const postingScores = new Float32Array(postingTerm.length);
  let p = 0;
  for (let doc = 0; doc < numDocs; doc += 1) {
    const length = docLength[doc]!;
    for (const end = docEnd[doc]!; p < end; p += 1) {
      const term = postingTerm[p]!;
      const at = cursor[term]!++;
      postingDocs[at] = doc;
      const tfc = termFrequencyComponent(params, postingTf[p]!, length, averageLength);
      postingScores[at] = idf[term]! * tfc - (nonOccurrence[term] ?? 0);
    }
  }
  const vocab = buildVocabArrays(c.terms);
  const sections: SectionSource[] = [
    { name: 'termStart', type: 'u32', data: termStart },
    { name: 'postingDocs', type: 'u32', data: postingDocs },
    { name: 'postingScores', type: 'f32', data: postingScores },
    { name: 'nonOccurrence', type: 'f32', data: nonOccurrence },
    {
      name: 'termMaxScores',
      type: 'f32',
      data: computeTermMaxScores(termStart, postingScores),
    },
    { name: 'docLength', type: 'u32', data: docLength },
    { name: 'termBytes', type: 'u8', data: vocab.termBytes },
    { name: 'termOffsets', type: 'u32', data: vocab.termOffsets },
    { name: 'termSlots', type: 'u32', data: vocab.slots },
    { name: 'idBytes', type: 'u8', data: c.idBytes.view() },
    { name: 'idOffsets', type: 'f64', data: c.idOffsets.view() },
    { name: 'contentOffsets', type: 'f64', data: c.contentOffsets.view() },
  ];
  return { sections, averageLength };
}
