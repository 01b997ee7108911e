import { closeSync, openSync, writeSync } from 'node:fs';

/** Buffered append-only writer, so streamed passage text goes to disk, not to the JS heap. */
export class TempByteWriter {
  private readonly fd: number;
  private readonly buffer = Buffer.allocUnsafe(8 * 1024 * 1024);
  private used = 0;
  bytesWritten = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  /** Appends the UTF-8 bytes of `text`; returns the byte length written. */
  writeString(text: string): number {
    const length = Buffer.byteLength(text);
    if (length > this.buffer.byteLength - this.used) this.flush();
    if (length > this.buffer.byteLength) {
      writeSync(this.fd, Buffer.from(text));
    } else {
      this.buffer.write(text, this.used);
      this.used += length;
    }
    this.bytesWritten += length;
    return length;
  }

  private flush(): void {
    if (this.used > 0) writeSync(this.fd, this.buffer, 0, this.used);
    this.used = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
