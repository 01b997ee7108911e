import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { DataError } from '../lib/errors.ts';
import type { Passage } from '../lib/retrieval/types.ts';

export const CorpusReadOptionsSchema = z
  .object({
    format: z
      .enum(['auto', 'jsonl', 'tsv'])
      .default('auto')
      .describe('FlashRAG jsonl ({id, contents}) or DPR/Search-R1 TSV (id, text, title)'),
    onMalformed: z
      .enum(['skip', 'fail'])
      .default('fail')
      .describe('skip malformed lines (each is reported) or stop at the first one'),
    quoteTsvTitle: z
      .boolean()
      .default(true)
      .describe('write TSV titles as "Title" on the first line, as wiki-18 jsonl does'),
  })
  .strict();
export type CorpusReadOptions = z.input<typeof CorpusReadOptionsSchema>;

/** A line that could not be read as a passage. */
export interface MalformedLine {
  file: string;
  line: number;
  message: string;
}

export interface CorpusReadHooks {
  /** Called for every malformed line when `onMalformed` is `skip`. */
  onMalformed?: (problem: MalformedLine) => void;
}

type LineParser = (text: string) => Passage | string | undefined;

/**
 * Streams passages from a corpus file one line at a time, so a 21M-passage corpus never sits in
 * memory as objects. Yields in file order; malformed lines are reported with their line number.
 */
export async function* readCorpus(
  file: string,
  options: CorpusReadOptions = {},
  hooks: CorpusReadHooks = {},
): AsyncGenerator<Passage> {
  const parsed = CorpusReadOptionsSchema.parse(options);
  const format = parsed.format === 'auto' ? detectFormat(file) : parsed.format;
  const parse: LineParser =
    format === 'jsonl' ? parseJsonlLine : (text) => parseTsvLine(text, parsed.quoteTsvTitle);
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const text of lines) {
    lineNumber += 1;
    if (text.trim() === '') continue;
    const result = parse(text);
    if (result === undefined) continue;
    if (typeof result !== 'string') {
      yield result;
      continue;
    }
    const problem = { file, line: lineNumber, message: result };
    if (parsed.onMalformed === 'fail') {
      lines.close();
      throw new DataError(`${file}:${lineNumber}: ${result}`);
    }
    hooks.onMalformed?.(problem);
  }
}

function detectFormat(file: string): 'jsonl' | 'tsv' {
  return /\.tsv(\.|$)/i.test(file) ? 'tsv' : 'jsonl';
}

/** FlashRAG corpus row; extra keys are allowed, a numeric id is accepted as Search-R1 writes. */
function parseJsonlLine(text: string): Passage | string {
  let row: unknown;
  try {
    row = JSON.parse(text);
  } catch (error) {
    return `invalid JSON (${(error as Error).message})`;
  }
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return 'not a JSON object';
  const { id, contents } = row as { id?: unknown; contents?: unknown };
  if (typeof id !== 'string' && typeof id !== 'number') return 'field "id" must be a string';
  if (typeof contents !== 'string') return 'field "contents" must be a string';
  return { id: String(id), contents };
}

/** DPR psgs_w100.tsv: `id<TAB>text<TAB>title` with a header row and CSV-style quoting. */
function parseTsvLine(text: string, quoteTitle: boolean): Passage | string | undefined {
  const fields = text.split('\t');
  if (fields.length !== 3)
    return `expected 3 tab-separated fields (id, text, title), got ${fields.length}`;
  const [id = '', body = '', title = ''] = fields.map(unquoteCsv);
  if (id === 'id' && body === 'text' && title === 'title') return undefined;
  if (id === '') return 'empty id';
  const heading = quoteTitle ? `"${title}"` : title;
  return { id, contents: `${heading}\n${body}` };
}

function unquoteCsv(field: string): string {
  if (field.length >= 2 && field.startsWith('"') && field.endsWith('"')) {
    return field.slice(1, -1).replaceAll('""', '"');
  }
  return field;
}
