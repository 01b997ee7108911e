import type { Passage } from '../lib/retrieval/types.ts';
import type { IndexFile } from './index-file.ts';

/**
 * Passages by document number. Ids stay in memory (small); contents are read from the index
 * file on demand (the OS page cache keeps hot ones), or preloaded when `inMemory` is set, so a
 * service never holds every passage as a JS object. Reads are synchronous preads: a search call
 * fetches a handful of few-KB passages, and the async path's thread-pool round trip per hit
 * cost more than the reads (a cold disk blocks the event loop briefly; `inMemory` avoids it).
 */
export class DocStore {
  private readonly idBytes: Uint8Array;
  private readonly idOffsets: Float64Array;
  private readonly contentOffsets: Float64Array;
  private readonly contentBytes: Uint8Array | undefined;
  private readonly decoder = new TextDecoder();

  constructor(
    private readonly file: IndexFile,
    options: { inMemory?: boolean } = {},
  ) {
    this.idBytes = file.section('idBytes') as Uint8Array;
    this.idOffsets = file.section('idOffsets') as Float64Array;
    this.contentOffsets = file.section('contentOffsets') as Float64Array;
    this.contentBytes = options.inMemory ? (file.section('contentBytes') as Uint8Array) : undefined;
  }

  get size(): number {
    return this.idOffsets.length - 1;
  }

  id(doc: number): string {
    return this.decoder.decode(
      this.idBytes.subarray(this.idOffsets[doc]!, this.idOffsets[doc + 1]!),
    );
  }

  contents(doc: number): string {
    const start = this.contentOffsets[doc]!;
    const end = this.contentOffsets[doc + 1]!;
    if (this.contentBytes) return this.decoder.decode(this.contentBytes.subarray(start, end));
    return this.file.readRangeSync('contentBytes', start, end - start).toString('utf8');
  }

  passage(doc: number): Passage {
    return { id: this.id(doc), contents: this.contents(doc) };
  }

  /** Passages for many document numbers, reading each distinct one once. */
  passages(docs: ArrayLike<number>): Passage[] {
    const loaded = new Map<number, Passage>();
    return Array.from(docs, (doc) => {
      let passage = loaded.get(doc);
      if (!passage) loaded.set(doc, (passage = this.passage(doc)));
      return passage;
    });
  }
}
