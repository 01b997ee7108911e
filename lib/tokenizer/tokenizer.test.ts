import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../errors.ts';
import {
  createTokenizer,
  loadTokenizer,
  PIECE_PATTERNS,
  TokenizerFileSchema,
} from './tokenizer.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const vectors = JSON.parse(readFileSync(join(FIXTURES, 'vectors.json'), 'utf8')) as {
  text: string;
  ids: number[];
}[];
const tokenizer = loadTokenizer(join(FIXTURES, 'tokenizer.json'));

describe('word tokenizer (TS port)', () => {
  it.each(vectors.map((v) => [v.text.slice(0, 40), v] as const))(
    'encodes %j exactly as the Python trainer does',
    (_label, vector) => {
      expect(tokenizer.encode(vector.text)).toEqual(vector.ids);
      expect(tokenizer.countTokens(vector.text)).toBe(vector.ids.length);
    },
  );

  it.each(vectors.map((v) => [v.text.slice(0, 40), v] as const))(
    'round-trips %j',
    (_label, vector) => {
      expect(tokenizer.decode(tokenizer.encode(vector.text))).toBe(vector.text);
    },
  );

  it('maps tags to single special ids and can drop control tokens on decode', () => {
    const ids = tokenizer.encode('<|bos|><think>x</think><|eos|>');
    expect(ids[0]).toBe(tokenizer.specialIds.get('<|bos|>'));
    expect(ids[1]).toBe(tokenizer.specialIds.get('<think>'));
    expect(tokenizer.decode(ids, { skipSpecialTokens: true })).toBe('<think>x</think>');
  });

  it('rejects a file that is not a tokenizer, naming the path', () => {
    const path = join(FIXTURES, 'vectors.json');
    expect(() => loadTokenizer(path)).toThrow(DataError);
    expect(() => loadTokenizer(path)).toThrow(/vectors\.json/);
  });

  it('keeps a JSON escape one piece in v2 and still reads v1 files with their own split', () => {
    const file = JSON.parse(readFileSync(join(FIXTURES, 'tokenizer.json'), 'utf8')) as object;
    const text = '\\nSatos';
    const v2 = createTokenizer(TokenizerFileSchema.parse({ ...file, pieces: ['\\n', 'Satos'] }));
    expect(v2.encode(text)).toHaveLength(2);
    const v1File = {
      ...file,
      format: 'rag-r1-word-v1',
      pattern: PIECE_PATTERNS['rag-r1-word-v1'],
      pieces: ['\\', 'nSatos'],
    };
    expect(createTokenizer(TokenizerFileSchema.parse(v1File)).encode(text)).toHaveLength(2);
    expect(() =>
      TokenizerFileSchema.parse({ ...v1File, pattern: PIECE_PATTERNS['rag-r1-word-v2'] }),
    ).toThrow(/pattern/);
  });
});
