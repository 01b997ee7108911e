import { readFileSync } from 'node:fs';

/** One query's hits as both sides write them: [passage id, score] best first. */
export type Hits = Map<string, [string, number][]>;

export function readHits(file: string): Hits {
  return new Map(
    readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => {
        const row = JSON.parse(line) as { id: string; hits: [string, number][] };
        return [row.id, row.hits];
      }),
  );
}

/** Scores a few float32 steps apart: the same sum added in another order. */
function nearlyEqual(a: number, b: number): boolean {
  return Math.abs(a - b) <= 8 * 2 ** -23 * Math.max(Math.abs(a), Math.abs(b));
}

export interface OverlapReport {
  /** Share of the peer's (positive-score) top-10 hits that are in ours. */
  overlap: number;
  /** As `overlap`, also counting a missed peer hit that ties our 10th score (1e-4 relative). */
  overlapCountingTies: number;
  queriesWithIdenticalTop10Sets: number;
  /** Missed peer hits scoring exactly our 10th score: a tie ordered differently. */
  missedExactTies: number;
  /** Missed peer hits not equal to, but within 8 float32 ulps of, our 10th: summation order. */
  missedWithinFloat32Rounding: number;
  /** Missed peer hits with a clearly different score: a real ranking difference. */
  missedOtherwise: number;
  /** Hits both lists share whose two scores are not the same float32. */
  sharedHitsWithDifferentScoreBits: number;
  maxRelativeScoreDifference: number;
  peerHits: number;
}

/** Top-10 overlap of ours against a peer's lists, with every mismatch classified. */
export function compareTop10(ours: Hits, peer: Hits): OverlapReport {
  let shared = 0;
  let tied = 0;
  let total = 0;
  let identical = 0;
  let exactTies = 0;
  let rounding = 0;
  let other = 0;
  let differentBits = 0;
  let maxRelative = 0;
  for (const [id, peerHits] of peer) {
    const expected = peerHits.filter(([, score]) => score > 0);
    const mine = new Map(ours.get(id) ?? []);
    const kth = ours.get(id)?.at(-1)?.[1] ?? 0;
    let found = 0;
    for (const [doc, score] of expected) {
      const own = mine.get(doc);
      if (own !== undefined) {
        found += 1;
        if (Math.fround(own) !== Math.fround(score)) differentBits += 1;
        maxRelative = Math.max(maxRelative, Math.abs(own - score) / Math.max(1e-12, score));
        continue;
      }
      if (Math.abs(score - kth) <= 1e-4 * Math.max(1, Math.abs(kth))) tied += 1;
      if (Math.fround(score) === Math.fround(kth)) exactTies += 1;
      else if (nearlyEqual(score, kth)) rounding += 1;
      else other += 1;
    }
    shared += found;
    total += expected.length;
    if (found === expected.length) identical += 1;
  }
  return {
    overlap: shared / total,
    overlapCountingTies: (shared + tied) / total,
    queriesWithIdenticalTop10Sets: identical / peer.size,
    missedExactTies: exactTies,
    missedWithinFloat32Rounding: rounding,
    missedOtherwise: other,
    sharedHitsWithDifferentScoreBits: differentBits,
    maxRelativeScoreDifference: maxRelative,
    peerHits: total,
  };
}
