import { z } from 'zod';

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

/** The text of record `id`, drawn from the shared PRNG stream. */
export function generateText(random: () => number, words: number): string {
  return Array.from(
    { length: words },
    () => VOCABULARY[Math.floor(random() * VOCABULARY.length)],
  ).join(' ');
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
