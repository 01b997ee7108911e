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

/** MaxScore works only when no posting can lower a document's score. */
export function canUseMaxScore(postings: MaxScorePostings, terms: readonly number[]): boolean {
  return terms.every((term) => postings.termMaxScores[term]! >= 0);
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
  const cursor = new Uint32Array(count);
  const end = new Uint32Array(count);
  const weight = new Float64Array(count);
  const bound = new Float64Array(count);
  /** boundBelow[j]: the summed bounds of order[0..j-1], widened for float32 rounding. */
  const boundBelow = new Float64Array(count + 1);
  const widen = 1 + (count + 2) * 2 ** -23;
  for (let j = 0; j < count; j += 1) {
    const i = order[j]!;
    cursor[j] = termStart[terms[i]!]!;
    end[j] = termStart[terms[i]! + 1]!;
    weight[j] = weights[i]!;
    bound[j] = postings.termMaxScores[terms[i]!]! * weights[i]!;
    boundBelow[j + 1] = boundBelow[j]! + bound[j]!;
  }
  for (let j = 0; j <= count; j += 1) boundBelow[j] = boundBelow[j]! * widen;
  /** Contribution of each term (by query position) to the current document; NaN when absent. */
  const contribution = new Float64Array(count).fill(NaN);
  let firstEssential = 0;
  let threshold = heap.threshold;
  for (;;) {
    let doc = 0xffffffff;
    for (let j = firstEssential; j < count; j += 1) {
      if (cursor[j]! < end[j]! && postingDocs[cursor[j]!]! < doc) doc = postingDocs[cursor[j]!]!;
    }
    if (doc === 0xffffffff) return;
    let essentialSum = 0;
    for (let j = firstEssential; j < count; j += 1) {
      const p = cursor[j]!;
      if (p < end[j]! && postingDocs[p]! === doc) {
        const score = postingScores[p]! * weight[j]!;
        contribution[order[j]!] = score;
        essentialSum += score;
        cursor[j] = p + 1;
      }
    }
    if (probeNonEssential(doc, essentialSum, firstEssential, threshold)) {
      let score = 0;
      for (let i = 0; i < count; i += 1) {
        const part = contribution[i]!;
        if (part === part) score = Math.fround(score + part);
      }
      heap.push(score, doc);
      if (heap.threshold !== threshold) {
        threshold = heap.threshold;
        while (firstEssential < count && boundBelow[firstEssential + 1]! <= threshold) {
          firstEssential += 1;
        }
      }
    }
    contribution.fill(NaN);
  }

  /** Adds non-essential contributions (best bound first); false once the doc cannot make it. */
  function probeNonEssential(
    doc: number,
    essentialSum: number,
    essentialFrom: number,
    limit: number,
  ): boolean {
    let sum = essentialSum;
    for (let j = essentialFrom - 1; j >= 0; j -= 1) {
      if (sum * widen + boundBelow[j + 1]! <= limit) return false;
      const p = seekPosting(postingDocs, cursor[j]!, end[j]!, doc);
      cursor[j] = p;
      if (p < end[j]! && postingDocs[p]! === doc) {
        const score = postingScores[p]! * weight[j]!;
        contribution[order[j]!] = score;
        sum += score;
      }
    }
    return !(sum * widen <= limit);
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
