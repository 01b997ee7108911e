import type { Passage } from '../lib/retrieval/types.ts';
import type { IndexFile } from './index-file.ts';

/**
 * Passages by document number. Ids stay in memory (small); contents are read from the index
 * file on demand (the OS page cache keeps hot ones), or preloaded when `inMemory` is set, so a
 * service never holds every passage as a JS object.
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

  async contents(doc: number): Promise<string> {
    const start = this.contentOffsets[doc]!;
    const end = this.contentOffsets[doc + 1]!;
    if (this.contentBytes) return this.decoder.decode(this.contentBytes.subarray(start, end));
    const bytes = await this.file.readRange('contentBytes', start, end - start);
    return bytes.toString('utf8');
  }

  async passage(doc: number): Promise<Passage> {
    return { id: this.id(doc), contents: await this.contents(doc) };
  }

  /** Passages for many document numbers, reading each distinct one once. */
  async passages(docs: ArrayLike<number>): Promise<Passage[]> {
    const unique = [...new Set(Array.from(docs))];
    const loaded = new Map(
      await Promise.all(unique.map(async (d) => [d, await this.passage(d)] as const)),
    );
    return Array.from(docs, (d) => loaded.get(d)!);
  }
}
