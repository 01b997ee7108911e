import type { TopK } from './top-k.ts';

/** The CSR posting arrays MaxScore walks, plus each term's largest posting score. */
export interface MaxScorePostings {
  termStart: Uint32Array;
  postingDocs: Uint32Array;
  postingScores: Float32Array;
  termMaxScores: Float32Array;
}

/** The largest posting score of every term (0 for a term without postings). */
export function computeTermMaxScores(
  termStart: Uint32Array,
  postingScores: Float32Array,
  out: Float32Array<ArrayBufferLike> = new Float32Array(Math.max(0, termStart.length - 1)),
): Float32Array<ArrayBufferLike> {
  for (let term = 0; term < out.length; term += 1) {
    let best = 0;
    let first = true;
    for (let p = termStart[term]!, end = termStart[term + 1]!; p < end; p += 1) {
      const score = postingScores[p]!;
      if (first || score > best) best = score;
      first = false;
    }
    out[term] = best;
  }
  return out;
}

/** Queries longer than this use the exhaustive path (a term set must fit a 32-bit mask). */
export const MAX_SCORE_MAX_TERMS = 32;

/** MaxScore needs scores no posting can lower, and a term set that fits a 32-bit mask. */
export function canUseMaxScore(postings: MaxScorePostings, terms: readonly number[]): boolean {
  return (
    terms.length <= MAX_SCORE_MAX_TERMS && terms.every((term) => postings.termMaxScores[term]! >= 0)
  );
}

/** First position in [from, end) whose document is >= target (end when none): gallop, then bisect. */
export function seekPosting(docs: Uint32Array, from: number, end: number, target: number): number {
  if (from >= end || docs[from]! >= target) return from;
  let low = from;
  let step = 1;
  let high = from + 1;
  while (high < end && docs[high]! < target) {
    low = high;
    step *= 2;
    high = low + step;
  }
  if (high > end) high = end;
  // Invariant: docs[low] < target, and docs[high] >= target or high === end.
  while (high - low > 1) {
    const middle = (low + high) >>> 1;
    if (docs[middle]! < target) low = middle;
    else high = middle;
  }
  return high;
}

/**
 * Exact top-k by MaxScore (Turtle & Flood 1995), document at a time. Terms are ordered by upper
 * bound (max posting score x query weight); the cheapest prefix whose bounds sum to at most the
 * heap threshold is "non-essential": a document found only there cannot enter the top k, so
 * only the remaining (essential) lists propose candidates, and non-essential lists are probed
 * by galloping search, stopping as soon as the bound shows the candidate cannot make it.
 *
 * Scores are bit-identical to the term-at-a-time accumulator: contributions are summed in query
 * term order into a float32 (Math.fround), the same operations the Float32Array accumulator does.
 * Ties match too: documents arrive in increasing order, so a later document with a score equal
 * to the threshold never enters (the heap prefers the lower document), and pruning on
 * `bound <= threshold` loses nothing. Bounds are widened by a few float32 ulps so rounding in
 * the float32 sum can never push a real score above a bound.
 */
export function rankMaxScore(
  postings: MaxScorePostings,
  terms: readonly number[],
  weights: readonly number[],
  heap: TopK,
): void {
  const { termStart, postingDocs, postingScores } = postings;
  const count = terms.length;
  const order = sortByUpperBound(postings, terms, weights);
  /** Per list, in upper-bound order: position, end, current document (Infinity when done). */
  const cursor = new Float64Array(count);
  const end = new Float64Array(count);
  const current = new Float64Array(count);
  const weight = new Float64Array(count);
  /** The current document's contribution from each list; valid where its `present` bit is set. */
  const part = new Float64Array(count);
  /** boundBelow[j]: the summed bounds of lists 0..j-1, widened for float32 rounding. */
  const boundBelow = new Float64Array(count + 1);
  /** listOf[i]: the list of query position i, to sum in query order as the accumulator does. */
  const listOf = new Int32Array(count);
  const widen = 1 + (count + 2) * 2 ** -23;
  for (let j = 0; j < count; j += 1) {
    const i = order[j]!;
    listOf[i] = j;
    cursor[j] = termStart[terms[i]!]!;
    end[j] = termStart[terms[i]! + 1]!;
    current[j] = cursor[j]! < end[j]! ? postingDocs[cursor[j]!]! : Infinity;
    weight[j] = weights[i]!;
    boundBelow[j + 1] = boundBelow[j]! + postings.termMaxScores[terms[i]!]! * weights[i]!;
  }
  for (let j = 0; j <= count; j += 1) boundBelow[j] = boundBelow[j]! * widen;
  let threshold = heap.threshold;
  let firstEssential = 0;
  let doc = Infinity;
  for (let j = 0; j < count; j += 1) if (current[j]! < doc) doc = current[j]!;
  while (doc !== Infinity) {
    let next = Infinity;
    let present = 0;
    let sum = 0;
    for (let j = firstEssential; j < count; j += 1) {
      let at = current[j]!;
      if (at === doc) {
        const p = cursor[j]!;
        const score = postingScores[p]! * weight[j]!;
        part[j] = score;
        present |= 1 << j;
        sum += score;
        cursor[j] = p + 1;
        at = p + 1 < end[j]! ? postingDocs[p + 1]! : Infinity;
        current[j] = at;
      }
      if (at < next) next = at;
    }
    let alive = true;
    for (let j = firstEssential - 1; j >= 0; j -= 1) {
      if (sum * widen + boundBelow[j + 1]! <= threshold) {
        alive = false;
        break;
      }
      if (current[j]! < doc) {
        const p = seekPosting(postingDocs, cursor[j]!, end[j]!, doc);
        cursor[j] = p;
        current[j] = p < end[j]! ? postingDocs[p]! : Infinity;
      }
      if (current[j] === doc) {
        const score = postingScores[cursor[j]!]! * weight[j]!;
        part[j] = score;
        present |= 1 << j;
        sum += score;
      }
    }
    if (alive && sum * widen > threshold) {
      let score = 0;
      for (let i = 0; i < count; i += 1) {
        const j = listOf[i]!;
        if (present & (1 << j)) score = Math.fround(score + part[j]!);
      }
      heap.push(score, doc);
      if (heap.threshold > threshold) {
        threshold = heap.threshold;
        const before = firstEssential;
        while (firstEssential < count && boundBelow[firstEssential + 1]! <= threshold) {
          firstEssential += 1;
        }
        if (firstEssential !== before) {
          next = Infinity;
          for (let j = firstEssential; j < count; j += 1)
            if (current[j]! < next) next = current[j]!;
        }
      }
    }
    doc = next;
  }
}

/** Query positions sorted by upper bound, smallest first (stable, so ties keep query order). */
function sortByUpperBound(
  postings: MaxScorePostings,
  terms: readonly number[],
  weights: readonly number[],
): number[] {
  const upper = terms.map((term, i) => postings.termMaxScores[term]! * weights[i]!);
  return terms.map((_, i) => i).sort((a, b) => upper[a]! - upper[b]! || a - b);
}
