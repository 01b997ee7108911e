import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { z } from 'zod';
import { DataError } from './errors.ts';

/**
 * Streams a jsonl file, validating each row; a bad row is a DataError naming file and line, so
 * a corrupt artifact fails loudly instead of yielding a silently smaller dataset.
 */
export async function* readJsonl<T>(path: string, schema: z.ZodType<T>): AsyncGenerator<T> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new DataError(`${path}:${lineNumber}: invalid JSON (${(error as Error).message})`);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DataError(
        `${path}:${lineNumber}: ${issue?.path.join('.') || 'row'}: ${issue?.message}`,
      );
    }
    yield parsed.data;
  }
}

/** Reads a whole jsonl file into memory (for stage-sized files, not corpora). */
export async function readJsonlAll<T>(path: string, schema: z.ZodType<T>): Promise<T[]> {
  const rows: T[] = [];
  for await (const row of readJsonl(path, schema)) rows.push(row);
  return rows;
}

/** Writes rows as jsonl in one go. */
export async function writeJsonl(path: string, rows: Iterable<unknown>): Promise<void> {
  let text = '';
  for (const row of rows) text += `${JSON.stringify(row)}\n`;
  await writeFile(path, text);
}
