import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../random.ts';
import { renderPythonJson, renderPythonJsonString, renderPythonNumber } from './python-json.ts';

/** Python's ASCII string encoder, one code unit at a time: the oracle for the native path. */
function pythonAsciiString(text: string): string {
  const short: Record<number, string> = {
    0x22: '\\"',
    0x5c: '\\\\',
    0x0a: '\\n',
    0x0d: '\\r',
    0x09: '\\t',
    0x08: '\\b',
    0x0c: '\\f',
  };
  let out = '"';
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (short[code] !== undefined) out += short[code];
    else if (code >= 0x20 && code <= 0x7e) out += text[index];
    else out += `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

/** Seeded random strings mixing ASCII, quotes, controls, DEL, Latin-1, BMP and surrogates. */
function randomStrings(count: number, seed: number): string[] {
  const next = createSeededRandom(seed);
  const pools = [
    () => 0x20 + Math.floor(next() * 95),
    () =>
      [0x22, 0x5c, 0x0a, 0x0d, 0x09, 0x08, 0x0c, 0x00, 0x1f, 0x7f][
        Math.floor(next() * 10)
      ] as number,
    () => 0x80 + Math.floor(next() * 0x180),
    () => 0x2000 + Math.floor(next() * 0x1000),
    () => 0xd800 + Math.floor(next() * 0x800),
  ];
  return Array.from({ length: count }, () => {
    const codes = Array.from({ length: Math.floor(next() * 40) }, () => {
      const pool = pools[Math.floor(next() * pools.length)] as () => number;
      return pool();
    });
    return String.fromCharCode(...codes);
  });
}

// Expected strings were produced by CPython 3.11 `json.dumps(obj, indent=2)` / `repr(float)`.
describe('renderPythonJson', () => {
  it('matches json.dumps(indent=2) with ASCII escaping and empty containers', () => {
    const value = {
      query: ['a', 'Mü ñ\u2603 \u{1F600} \x7f"\\'],
      documents: [],
      x: {},
      s: 1.5,
      n: null,
      t: true,
    };
    const expected = [
      '{',
      '  "query": [',
      '    "a",',
      '    "M\\u00fc \\u00f1\\u2603 \\ud83d\\ude00 \\u007f\\"\\\\"',
      '  ],',
      '  "documents": [],',
      '  "x": {},',
      '  "s": 1.5,',
      '  "n": null,',
      '  "t": true',
      '}',
    ].join('\n');
    expect(renderPythonJson(value)).toBe(expected);
  });

  it('escapes every code unit as Python does, on 5,000 random strings', () => {
    for (const text of randomStrings(5_000, 11)) {
      expect(renderPythonJsonString(text)).toBe(pythonAsciiString(text));
    }
  });

  it('escapes control characters the way Python does', () => {
    expect(renderPythonJson(['Doc 1: x\nDoc 2: y\t\u0001'])).toBe(
      '[\n  "Doc 1: x\\nDoc 2: y\\t\\u0001"\n]',
    );
  });
});

describe('renderPythonNumber', () => {
  it.each([
    [0.1, '0.1'],
    [1e-5, '1e-05'],
    [1.5e16, '1.5e+16'],
    [123.456, '123.456'],
    [-0.00012, '-0.00012'],
    [2.5e-7, '2.5e-07'],
    [1e22, '1e+22'],
    [3.14159e-10, '3.14159e-10'],
    [12345678.9, '12345678.9'],
    [42, '42'],
  ])('%s renders as Python repr %s', (input, expected) => {
    expect(renderPythonNumber(input)).toBe(expected);
  });
});
