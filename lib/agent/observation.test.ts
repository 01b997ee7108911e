import { describe, expect, it } from 'vitest';
import type { ScoredPassage } from '../retrieval/types.ts';
import {
  INFORMATION_CLOSE,
  INFORMATION_OPEN,
  renderDocs,
  renderMqObservation,
  renderSqObservation,
} from './observation.ts';
import { APPROXIMATE_TOKEN_COUNTER, tokenCounterFromTokenizer } from './token-counter.ts';

const hit = (id: string, contents: string): ScoredPassage => ({
  document: { id, contents },
  score: 1,
});
const HITS = [hit('1', 'Canberra   Canberra is the capital.'), hit('2', 'Sydney   A city.')];
/** One token per character: makes token budgets easy to reason about. */
const charCounter = tokenCounterFromTokenizer({
  encode: (text) => [...text].map((char) => char.codePointAt(0) as number),
  decode: (ids) => String.fromCodePoint(...ids),
});

describe('renderSqObservation', () => {
  it('renders Doc i lines inside the information block', () => {
    expect(renderSqObservation(HITS, APPROXIMATE_TOKEN_COUNTER, 1000)).toBe(
      '\n<information>\nDoc 1: Canberra   Canberra is the capital.\nDoc 2: Sydney   A city.\n</information>\n',
    );
  });

  it('cuts an over-long block to the budget and keeps the closing tag', () => {
    const rendered = renderSqObservation(HITS, charCounter, 40);
    expect(rendered.length).toBe(40);
    expect(rendered === INFORMATION_OPEN + 'Doc 1: Ca' + INFORMATION_CLOSE).toBe(true);
    expect(rendered.endsWith(INFORMATION_CLOSE)).toBe(true);
  });

  it('strips the body as the reference does, trailing blanks of the last document included', () => {
    expect(
      renderSqObservation([hit('1', 'A   a'), hit('2', 'B   b \n\n')], charCounter, null),
    ).toBe(INFORMATION_OPEN + 'Doc 1: A   a\nDoc 2: B   b' + INFORMATION_CLOSE);
  });

  it('does not cut when the budget is null', () => {
    expect(renderSqObservation(HITS, charCounter, null)).toContain('A city.');
  });
});

describe('renderMqObservation', () => {
  it('renders the spec JSON shape with non-ASCII escaped', () => {
    const rendered = renderMqObservation(
      ['capital', 'Zürich'],
      [HITS, [hit('3', 'Zürich   Stadt')]],
      charCounter,
      1000,
    );
    expect(rendered).toBe(
      '\n<information>\n{\n  "query": [\n    "capital",\n    "Z\\u00fcrich"\n  ],\n  "documents": [\n' +
        '    "Doc 1: Canberra   Canberra is the capital.\\nDoc 2: Sydney   A city.",\n' +
        '    "Doc 1: Z\\u00fcrich   Stadt"\n  ]\n}\n</information>\n',
    );
  });

  it('cuts each query separately', () => {
    const rendered = renderMqObservation(['a', 'b'], [HITS, HITS], charCounter, 10);
    const json = JSON.parse(rendered.slice(INFORMATION_OPEN.length, -INFORMATION_CLOSE.length)) as {
      documents: string[];
    };
    expect(json.documents).toEqual([renderDocs(HITS).slice(0, 10), renderDocs(HITS).slice(0, 10)]);
  });
});

describe('APPROXIMATE_TOKEN_COUNTER', () => {
  it('counts words, digits and punctuation and truncates on piece boundaries', () => {
    expect(APPROXIMATE_TOKEN_COUNTER.countTokens('Hello, world 42!')).toBe(6);
    expect(APPROXIMATE_TOKEN_COUNTER.truncate('Hello, world 42!', 3)).toBe('Hello, world');
  });
});
