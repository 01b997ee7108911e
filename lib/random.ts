/**
 * A small seeded PRNG (mulberry32) and what is built on it. Sampling decisions (bootstrap
 * resamples, data splits, token sampling, demo data) must replay exactly from a seed, and some
 * of this runs in workflows, so it cannot use `Math.random` or Node's crypto.
 */
export type Random = () => number;

/** Uniform numbers in [0, 1) from a 32-bit seed; equal seeds give equal sequences. */
export function createSeededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeded Fisher-Yates: the same seed always gives the same order. */
export function seededShuffle<T>(items: readonly T[], random: Random): T[] {
  const shuffled = [...items];
  for (let index = shuffled.length - 1; index > 0; index -= 1) {
    const pick = Math.floor(random() * (index + 1));
    [shuffled[index], shuffled[pick]] = [shuffled[pick]!, shuffled[index]!];
  }
  return shuffled;
}
