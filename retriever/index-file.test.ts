import { truncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../tests/support/temp-dirs.ts';
import { IndexFile, writeIndexFile } from './index-file.ts';

const tempDir = useTempDirs();

function write(path: string): void {
  writeIndexFile(path, { kind: 'test', meta: {} }, [
    { name: 'values', type: 'f32', data: Float32Array.of(1.5, 2.5, 3) },
    { name: 'empty', type: 'u8', data: new Uint8Array(0) },
  ]);
}

describe('index files', () => {
  it('open with an empty last section and read it as empty', async () => {
    const path = join(tempDir('index-file-'), 'x.idx');
    write(path);
    const file = IndexFile.open(path);
    expect(Array.from(file.section('values'))).toEqual([1.5, 2.5, 3]);
    expect(file.section('empty')).toHaveLength(0);
    await file.close();
  });

  it('still refuse a file cut short inside a section', () => {
    const path = join(tempDir('index-file-'), 'x.idx');
    write(path);
    const file = IndexFile.open(path);
    const end = file.header.sections['values']!.offset + 8;
    void file.close();
    truncateSync(path, end);
    expect(() => IndexFile.open(path)).toThrow(/section values runs past the end/);
  });
});
