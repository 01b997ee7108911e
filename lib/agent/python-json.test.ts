import { describe, expect, it } from 'vitest';
import { renderPythonJson } from './python-json.ts';

describe('renderPythonJson', () => {
  it('matches CPython json.dumps(indent=2) byte for byte', () => {
    // Expected text produced by CPython 3.11: json.dumps(obj, indent=2).
    const expected =
      '{\n  "query": [\n    "capital of Australia",\n    "Z\\u00fcrich \\"quoted\\" \\\\ back",\n' +
      '    "emoji \\ud83d\\ude00",\n    "ctl \\u0001\\u007f\\t"\n  ],\n  "documents": [\n' +
      '    "Doc 1: Canberra   x\\nDoc 2: y",\n    ""\n  ],\n  "empty": [],\n  "obj": {},\n' +
      '  "n": [\n    1,\n    2.5,\n    1e-07,\n    true,\n    null\n  ]\n}';
    const value = {
      query: ['capital of Australia', 'Zürich "quoted" \\ back', 'emoji 😀', 'ctl \u0001\u007f\t'],
      documents: ['Doc 1: Canberra   x\nDoc 2: y', ''],
      empty: [],
      obj: {},
      n: [1, 2.5, 1e-7, true, null],
    };
    expect(renderPythonJson(value)).toBe(expected);
  });

  it('differs from JSON.stringify exactly where Python escapes non-ASCII', () => {
    expect(renderPythonJson(['é'])).toBe('[\n  "\\u00e9"\n]');
    expect(JSON.stringify(['é'], null, 2)).toBe('[\n  "é"\n]');
  });
});
