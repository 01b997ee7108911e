/**
 * A RolloutCheckpoint in a local jsonl file: each batch is appended and fsynced; loading
 * tolerates a torn last line (a kill mid-write) by cutting the file back to its last newline.
 * Node-only (uses node:fs); the driver itself stays free of I/O.
 */
import { open, readFile, truncate } from 'node:fs/promises';
import type { z } from 'zod';
import { DataError } from '../errors.ts';
import type { RolloutCheckpoint } from './driver.ts';

export interface JsonlCheckpointOptions<T> {
  path: string;
  /** Validates each stored line. */
  schema: z.ZodType<T>;
  /** The item id of a stored result. */
  keyOf: (result: T) => string;
}

/** Creates a jsonl-file checkpoint; later lines for the same id replace earlier ones. */
export function createJsonlCheckpoint<T>(options: JsonlCheckpointOptions<T>): RolloutCheckpoint<T> {
  return {
    load: () => loadJsonl(options),
    save: async (batch) => {
      if (batch.length === 0) return;
      const text = batch.map((result) => JSON.stringify(result) + '\n').join('');
      const handle = await open(options.path, 'a');
      try {
        await handle.writeFile(text, 'utf8');
        await handle.datasync();
      } finally {
        await handle.close();
      }
    },
  };
}

async function loadJsonl<T>(options: JsonlCheckpointOptions<T>): Promise<Map<string, T>> {
  const results = new Map<string, T>();
  let buffer: Buffer;
  try {
    buffer = await readFile(options.path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return results;
    throw error;
  }
  const lastNewline = buffer.lastIndexOf(0x0a);
  const complete = buffer.subarray(0, lastNewline + 1).toString('utf8');
  if (lastNewline + 1 < buffer.length) await truncate(options.path, lastNewline + 1);
  const lines = complete.split('\n');
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new DataError(`${options.path}:${index + 1}: invalid JSON in checkpoint`, {
        cause: error,
      });
    }
    const parsed = options.schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DataError(
        `${options.path}:${index + 1}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
      );
    }
    results.set(options.keyOf(parsed.data), parsed.data);
  });
  return results;
}
