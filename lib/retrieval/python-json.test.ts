import { describe, expect, it } from 'vitest';
import { renderPythonJson, renderPythonNumber } from './python-json.ts';

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
