import type { Rng } from './random.ts';

const ONSETS = [
  'b',
  'd',
  'f',
  'g',
  'k',
  'l',
  'm',
  'n',
  'p',
  'r',
  's',
  't',
  'v',
  'z',
  'br',
  'dr',
  'st',
  'th',
];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ou'];
const CODAS = ['', '', '', 'n', 'r', 'l', 's', 'm'];

const capitalize = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);

/** A made-up word of 2-3 syllables, e.g. "Dunmora". */
function makeWord(rng: Rng, syllables: number): string {
  let word = '';
  for (let i = 0; i < syllables; i += 1) {
    const coda = i === syllables - 1 ? rng.pick(CODAS) : rng.chance(0.3) ? rng.pick(CODAS) : '';
    word += rng.pick(ONSETS) + rng.pick(VOWELS) + coda;
  }
  return capitalize(word);
}

/**
 * Hands out unique made-up words. Name parts are drawn from pools whose size grows with the
 * world, so a small world has a small closed vocabulary and shared surnames act as distractors.
 */
export class NameMaker {
  private readonly used = new Set<string>();

  constructor(private readonly rng: Rng) {}

  /** A pool of `size` distinct words of the given syllable count, none used elsewhere. */
  pool(size: number, syllables: () => number): string[] {
    const words: string[] = [];
    // Large worlds exhaust the short-word space; after a run of collisions, words get longer.
    let extra = 0;
    let collisions = 0;
    while (words.length < size) {
      const word = makeWord(this.rng, syllables() + extra);
      if (this.used.has(word)) {
        collisions += 1;
        if (collisions > 20) {
          extra += 1;
          collisions = 0;
        }
        continue;
      }
      collisions = 0;
      this.used.add(word);
      words.push(word);
    }
    return words;
  }

  /** Reserves a full name; false if it was already taken. */
  claim(name: string): boolean {
    if (this.used.has(name)) return false;
    this.used.add(name);
    return true;
  }
}
