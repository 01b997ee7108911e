import { describe, expect, it } from 'vitest';
import { merkleRoot } from './merkle.ts';
import { createSeededRandom } from '../../lib/random.ts';
import { generateText, shardRange } from './records.ts';
import { transformRecord } from './transform.ts';
import { checkFault } from './faults.ts';

describe('demo stage helpers', () => {
  it('generates the same text for the same seed and different text otherwise', () => {
    const a = generateText(createSeededRandom(7), 12);
    expect(generateText(createSeededRandom(7), 12)).toBe(a);
    expect(generateText(createSeededRandom(8), 12)).not.toBe(a);
    expect(a.split(' ')).toHaveLength(12);
  });

  it('splits records into contiguous shards that cover everything once', () => {
    const ranges = [0, 1, 2].map((shard) => shardRange(10, shard, 3));
    expect(ranges).toEqual([
      { start: 0, end: 4 },
      { start: 4, end: 8 },
      { start: 8, end: 10 },
    ]);
  });

  it('transforms deterministically and the digest depends on the rounds', () => {
    const line = transformRecord({ id: 1, text: 'river stone' }, 3);
    expect(JSON.parse(line)).toMatchObject({
      id: 1,
      upper: 'RIVER STONE',
      tokens: ['RIVER', 'STONE'],
    });
    expect(transformRecord({ id: 1, text: 'river stone' }, 3)).toBe(line);
    expect(transformRecord({ id: 1, text: 'river stone' }, 4)).not.toBe(line);
  });

  it('computes merkle roots that change with any leaf and with order', () => {
    const leaves = ['a', 'b', 'c'].map((x) => x.repeat(64));
    const root = merkleRoot(leaves);
    expect(root).toMatch(/^[0-9a-f]{64}$/);
    expect(merkleRoot([leaves[1]!, leaves[0]!, leaves[2]!])).not.toBe(root);
    expect(merkleRoot([leaves[0]!])).toBe(leaves[0]);
  });

  it('fires the injected fault only at its record and only while its file exists', () => {
    const fault = { stage: 'transform' as const, atRecord: 5 };
    expect(() => checkFault(fault, 'transform', 4)).not.toThrow();
    expect(() => checkFault(fault, 'transform', 5)).toThrow('record 5');
    expect(() =>
      checkFault({ ...fault, whileFileExists: '/nonexistent/x' }, 'transform', 5),
    ).not.toThrow();
  });
});
