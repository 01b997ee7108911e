/**
 * A term dictionary in three typed arrays (UTF-8 bytes, offsets, an open-addressing hash table)
 * so it can be stored in the index file, loaded without parsing and shared with worker threads.
 */
export interface VocabArrays {
  termBytes: Uint8Array;
  termOffsets: Uint32Array;
  slots: Uint32Array;
}

const encoder = new TextEncoder();

function fnv1a(bytes: Uint8Array, length: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < length; index += 1) {
    hash ^= bytes[index]!;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Builds the table for terms whose id is their position in `terms`. */
export function buildVocabArrays(terms: readonly string[]): VocabArrays {
  const encoded = terms.map((term) => encoder.encode(term));
  const total = encoded.reduce((sum, bytes) => sum + bytes.byteLength, 0);
  const termBytes = new Uint8Array(total);
  const termOffsets = new Uint32Array(terms.length + 1);
  let size = 16;
  while (size < terms.length * 2) size *= 2;
  const slots = new Uint32Array(size);
  const mask = size - 1;
  encoded.forEach((bytes, id) => {
    termBytes.set(bytes, termOffsets[id]!);
    termOffsets[id + 1] = termOffsets[id]! + bytes.byteLength;
    let slot = fnv1a(bytes, bytes.byteLength) & mask;
    while (slots[slot] !== 0) slot = (slot + 1) & mask;
    slots[slot] = id + 1;
  });
  return { termBytes, termOffsets, slots };
}

/** Looks terms up by string; keeps one scratch buffer, so use one instance per thread. */
export class VocabLookup {
  private scratch = new Uint8Array(256);
  private readonly mask: number;

  constructor(private readonly arrays: VocabArrays) {
    this.mask = arrays.slots.length - 1;
  }

  get size(): number {
    return this.arrays.termOffsets.length - 1;
  }

  /** The term id, or -1 when the corpus never contains the term. */
  find(term: string): number {
    if (term.length * 3 > this.scratch.length) this.scratch = new Uint8Array(term.length * 3);
    const length = encoder.encodeInto(term, this.scratch).written;
    const { slots, termOffsets } = this.arrays;
    let slot = fnv1a(this.scratch, length) & this.mask;
    for (;;) {
      const entry = slots[slot]!;
      if (entry === 0) return -1;
      const start = termOffsets[entry - 1]!;
      if (termOffsets[entry]! - start === length && this.equals(start, length)) return entry - 1;
      slot = (slot + 1) & this.mask;
    }
  }

  term(id: number): string {
    const { termBytes, termOffsets } = this.arrays;
    return Buffer.from(
      termBytes.buffer,
      termBytes.byteOffset + termOffsets[id]!,
      termOffsets[id + 1]! - termOffsets[id]!,
    ).toString('utf8');
  }

  private equals(start: number, length: number): boolean {
    const bytes = this.arrays.termBytes;
    for (let index = 0; index < length; index += 1) {
      if (bytes[start + index] !== this.scratch[index]) return false;
    }
    return true;
  }
}
