import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { DataError } from '../../lib/errors.ts';

/** One generated record. */
export const DemoRecordSchema = z
  .object({ id: z.number().int().nonnegative(), text: z.string() })
  .strict();
export type DemoRecord = z.infer<typeof DemoRecordSchema>;

const VOCABULARY = (
  'river stone lantern orbit cedar violet harbor signal amber quiet meadow falcon copper ' +
  'thunder willow glacier ember canyon pepper marble saddle beacon tundra ripple compass ' +
  'hollow juniper plume quartz sable tidal velvet'
).split(' ');

/** mulberry32: a tiny seeded PRNG, so the same seed writes the same bytes everywhere. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The text of record `id`, drawn from the shared PRNG stream. */
export function generateText(random: () => number, words: number): string {
  return Array.from(
    { length: words },
    () => VOCABULARY[Math.floor(random() * VOCABULARY.length)],
  ).join(' ');
}

/** Reads a jsonl file line by line; a bad line is a DataError naming the file and line. */
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
      throw new DataError(`${path}:${lineNumber}: ${(error as Error).message}`);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success)
      throw new DataError(`${path}:${lineNumber}: ${parsed.error.issues[0]?.message}`);
    yield parsed.data;
  }
}

/** The contiguous record range [start, end) of shard `shard` of `count` over `total` records. */
export function shardRange(
  total: number,
  shard: number,
  count: number,
): { start: number; end: number } {
  const size = Math.ceil(total / count);
  const start = Math.min(total, shard * size);
  return { start, end: Math.min(total, start + size) };
}
