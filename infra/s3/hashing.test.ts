import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../lib/errors.ts';
import { useTempDirs } from '../../tests/support/temp-dirs.ts';
import { assertSha256, hashBytes, hashFile, HashingStream } from './hashing.ts';

const tempDir = useTempDirs();

const HELLO = '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';

describe('hashing', () => {
  it('hashes bytes, files and streams alike', async () => {
    expect(hashBytes(Buffer.from('hello'))).toBe(HELLO);
    const path = join(tempDir('hash-'), 'f');
    writeFileSync(path, 'hello');
    expect(await hashFile(path)).toEqual({ sha256: HELLO, bytes: 5 });
    const hasher = new HashingStream();
    const out: Buffer[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => (out.push(chunk), done()) });
    await pipeline(Readable.from([Buffer.from('hel'), Buffer.from('lo')]), hasher, sink);
    expect(hasher.digest()).toBe(HELLO);
    expect(hasher.bytes).toBe(5);
    expect(Buffer.concat(out).toString()).toBe('hello');
  });

  it('accepts only lowercase hex sha256 ids', () => {
    expect(() => assertSha256(HELLO)).not.toThrow();
    for (const bad of [HELLO.toUpperCase(), HELLO.slice(1), '../x', `${HELLO}/..`]) {
      expect(() => assertSha256(bad)).toThrow(DataError);
    }
  });
});
