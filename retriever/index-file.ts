import { closeSync, openSync, readSync, writeSync, fstatSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { ArtifactIntegrityError } from '../lib/errors.ts';

/**
 * One binary artifact per index: an 8-byte magic, a u32 header length, a JSON header, then
 * typed-array sections each aligned to 64 bytes. Loading reads each section straight into an
 * (optionally shared) buffer and wraps it; nothing is parsed.
 */
const MAGIC = 'RAGR1IDX';
const ALIGN = 64;
const CHUNK = 256 * 1024 * 1024;

export type SectionType = 'u8' | 'u16' | 'u32' | 'f32' | 'f64';
type Typed = Uint8Array | Uint16Array | Uint32Array | Float32Array | Float64Array;

export interface SectionInfo {
  type: SectionType;
  offset: number;
  byteLength: number;
}

export interface IndexHeader {
  format: 'rag-r1-index';
  version: 1;
  kind: string;
  meta: Record<string, unknown>;
  sections: Record<string, SectionInfo>;
}

/** A section to write: an in-memory typed array, or the bytes of a (temporary) file. */
export type SectionSource =
  | { name: string; type: SectionType; data: Typed }
  | { name: string; type: 'u8'; file: string; byteLength: number };

const BYTES: Record<SectionType, number> = { u8: 1, u16: 2, u32: 4, f32: 4, f64: 8 };

function alignUp(value: number): number {
  return Math.ceil(value / ALIGN) * ALIGN;
}

/** Writes the header and all sections; offsets are computed up front so the header comes first. */
export function writeIndexFile(
  path: string,
  head: { kind: string; meta: Record<string, unknown> },
  sources: SectionSource[],
): void {
  const sections: Record<string, SectionInfo> = {};
  const sizeOf = (source: SectionSource): number =>
    'data' in source ? source.data.byteLength : source.byteLength;
  const draft = (base: number): string => {
    let offset = base;
    for (const source of sources) {
      sections[source.name] = { type: source.type, offset, byteLength: sizeOf(source) };
      offset = alignUp(offset + sizeOf(source));
    }
    return JSON.stringify({ format: 'rag-r1-index', version: 1, ...head, sections });
  };
  // Offsets depend on the header length, which depends on the offsets' digits: iterate to a fixpoint.
  let base = alignUp(12 + Buffer.byteLength(draft(0)));
  let headerJson = draft(base);
  while (alignUp(12 + Buffer.byteLength(headerJson)) !== base) {
    base = alignUp(12 + Buffer.byteLength(headerJson));
    headerJson = draft(base);
  }
  const fd = openSync(path, 'w');
  try {
    const prefix = Buffer.alloc(12);
    prefix.write(MAGIC, 0, 'ascii');
    prefix.writeUInt32LE(Buffer.byteLength(headerJson), 8);
    writeSync(fd, prefix, 0, 12, 0);
    writeSync(fd, Buffer.from(headerJson), 0, Buffer.byteLength(headerJson), 12);
    for (const source of sources) writeSection(fd, source, sections[source.name]!.offset);
  } finally {
    closeSync(fd);
  }
}

function writeSection(fd: number, source: SectionSource, offset: number): void {
  if ('data' in source) {
    const bytes = new Uint8Array(
      source.data.buffer,
      source.data.byteOffset,
      source.data.byteLength,
    );
    for (let done = 0; done < bytes.byteLength; done += CHUNK) {
      const part = bytes.subarray(done, Math.min(done + CHUNK, bytes.byteLength));
      writeSync(fd, part, 0, part.byteLength, offset + done);
    }
    return;
  }
  const input = openSync(source.file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(source.byteLength, 1)));
    for (let done = 0; done < source.byteLength;) {
      const read = readSync(
        input,
        buffer,
        0,
        Math.min(buffer.byteLength, source.byteLength - done),
        done,
      );
      if (read === 0) throw new ArtifactIntegrityError(`${source.file}: ended early`);
      writeSync(fd, buffer, 0, read, offset + done);
      done += read;
    }
  } finally {
    closeSync(input);
  }
}

/** An opened index file: its header, and section readers. Call `close()` when done. */
export class IndexFile {
  private constructor(
    readonly path: string,
    readonly header: IndexHeader,
    private readonly fd: number,
    private handle: Promise<FileHandle> | undefined,
  ) {}

  static open(path: string): IndexFile {
    const fd = openSync(path, 'r');
    const prefix = Buffer.alloc(12);
    readSync(fd, prefix, 0, 12, 0);
    if (prefix.toString('ascii', 0, 8) !== MAGIC) {
      closeSync(fd);
      throw new ArtifactIntegrityError(`${path}: not a rag-r1 index file (bad magic)`);
    }
    const headerBytes = Buffer.alloc(prefix.readUInt32LE(8));
    readSync(fd, headerBytes, 0, headerBytes.byteLength, 12);
    const header = JSON.parse(headerBytes.toString('utf8')) as IndexHeader;
    const size = fstatSync(fd).size;
    for (const [name, info] of Object.entries(header.sections)) {
      // An empty section owns no bytes: placed after the last one's padding, it may sit past
      // the end of the file (a corpus whose passages are all empty strings, say).
      if (info.byteLength > 0 && info.offset + info.byteLength > size) {
        closeSync(fd);
        throw new ArtifactIntegrityError(`${path}: section ${name} runs past the end (truncated?)`);
      }
    }
    return new IndexFile(path, header, fd, undefined);
  }

  has(name: string): boolean {
    return name in this.header.sections;
  }

  private info(name: string): SectionInfo {
    const info = this.header.sections[name];
    if (!info) throw new ArtifactIntegrityError(`${this.path}: missing section ${name}`);
    return info;
  }

  /** Reads a whole section into memory; `shared` puts it in a SharedArrayBuffer for workers. */
  section(name: string, shared = false): Typed {
    const info = this.info(name);
    const buffer = shared
      ? new SharedArrayBuffer(info.byteLength)
      : new ArrayBuffer(info.byteLength);
    const bytes = new Uint8Array(buffer);
    for (let done = 0; done < info.byteLength;) {
      const length = Math.min(CHUNK, info.byteLength - done);
      const read = readSync(this.fd, bytes, done, length, info.offset + done);
      if (read === 0) throw new ArtifactIntegrityError(`${this.path}: section ${name} truncated`);
      done += read;
    }
    return wrap(info.type, buffer);
  }

  /**
   * Synchronous `readRange`: for small reads that the OS page cache usually serves, a pread
   * costs microseconds, less than the thread-pool round trip of an async read.
   */
  readRangeSync(name: string, start: number, length: number): Buffer {
    const info = this.info(name);
    const out = Buffer.allocUnsafe(length);
    const read = readSync(this.fd, out, 0, length, info.offset + start);
    if (read !== length) throw new ArtifactIntegrityError(`${this.path}: short read in ${name}`);
    return out;
  }

  /** Reads `length` bytes at `start` within a section without loading the section. */
  async readRange(name: string, start: number, length: number): Promise<Buffer> {
    const info = this.info(name);
    this.handle ??= open(this.path, 'r');
    const out = Buffer.allocUnsafe(length);
    const { bytesRead } = await (await this.handle).read(out, 0, length, info.offset + start);
    if (bytesRead !== length)
      throw new ArtifactIntegrityError(`${this.path}: short read in ${name}`);
    return out;
  }

  async close(): Promise<void> {
    closeSync(this.fd);
    await (await this.handle)?.close();
    this.handle = undefined;
  }
}

export function wrap(type: SectionType, buffer: ArrayBufferLike): Typed {
  switch (type) {
    case 'u8':
      return new Uint8Array(buffer);
    case 'u16':
      return new Uint16Array(buffer);
    case 'u32':
      return new Uint32Array(buffer);
    case 'f32':
      return new Float32Array(buffer);
    case 'f64':
      return new Float64Array(buffer);
  }
}

export function bytesPerElement(type: SectionType): number {
  return BYTES[type];
}
