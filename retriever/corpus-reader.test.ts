import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Passage } from '../lib/retrieval/types.ts';
import { readCorpus, type CorpusReadOptions, type MalformedLine } from './corpus-reader.ts';
import { sharedDataPath } from '../lib/shared-data.ts';

const dir = mkdtempSync(join(tmpdir(), 'corpus-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(file: string, options: CorpusReadOptions = {}) {
  const problems: MalformedLine[] = [];
  const passages: Passage[] = [];
  for await (const p of readCorpus(file, options, { onMalformed: (m) => problems.push(m) }))
    passages.push(p);
  return { passages, problems };
}

describe('readCorpus', () => {
  it('streams the real FlashRAG corpus', async () => {
    const { passages, problems } = await collect(sharedDataPath('corpus/wiki-sample.jsonl'));
    expect(passages).toHaveLength(8548);
    expect(problems).toEqual([]);
    expect(passages[0]!.contents.startsWith('"Evan Morris"\n')).toBe(true);
  });

  it('reads DPR TSV with a header and CSV quoting, titles quoted as in wiki-18', async () => {
    const file = join(dir, 'psgs.tsv');
    writeFileSync(
      file,
      'id\ttext\ttitle\n1\t"Aaron is a ""prophet"" in the Bible"\tAaron\n2\tplain text\tB\n',
    );
    const { passages } = await collect(file);
    expect(passages).toEqual([
      { id: '1', contents: '"Aaron"\nAaron is a "prophet" in the Bible' },
      { id: '2', contents: '"B"\nplain text' },
    ]);
  });

  it('reports malformed lines by number when skipping', async () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(
      file,
      '{"id":"a","contents":"x"}\n{"id":"b"}\n\nnot json\n{"id":3,"contents":"y"}\n',
    );
    const { passages, problems } = await collect(file, { onMalformed: 'skip' });
    expect(passages.map((p) => p.id)).toEqual(['a', '3']);
    expect(problems.map((p) => [p.line, p.message.split(' ')[0]])).toEqual([
      [2, 'field'],
      [4, 'invalid'],
    ]);
  });

  it('fails at the first malformed line by default, naming file and line', async () => {
    const file = join(dir, 'bad2.tsv');
    writeFileSync(file, '1\tok\tT\n2\tmissing title\n');
    await expect(collect(file)).rejects.toThrow(`${file}:2: expected 3 tab-separated fields`);
  });
});
