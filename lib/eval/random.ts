/**
 * A small seeded PRNG (mulberry32): bootstrap resamples must be reproducible from a seed, and
 * the same code runs in workflows, so it cannot use `Math.random` or Node's crypto.
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
