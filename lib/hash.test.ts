import { describe, expect, it } from 'vitest';
import { canonicalJson, hashJson, sha256Hex } from './hash.ts';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    const a = canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } });
    expect(a).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
  });

  it('gives the same hash for the same meaning regardless of key order', () => {
    expect(hashJson({ x: 1, y: [true, null] })).toBe(hashJson({ y: [true, null], x: 1 }));
    expect(hashJson({ x: 1 })).not.toBe(hashJson({ x: 2 }));
  });

  it('rejects values JSON cannot represent, naming the path', () => {
    expect(() => canonicalJson({ a: [1, Number.NaN] })).toThrow('$.a[1]');
    expect(() => canonicalJson({ f: () => 1 })).toThrow('$.f');
  });
});

describe('sha256Hex', () => {
  it('matches the known digest of "abc"', () => {
    expect(sha256Hex('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe(sha256Hex('abc'));
  });
});
