/** Next-token choice from one row of logits: greedy, or temperature plus nucleus (top-p). */

export interface TokenSampling {
  /** 0 = greedy. */
  temperature: number;
  topP: number;
}

function argmax(logits: Float32Array): number {
  let best = 0;
  for (let index = 1; index < logits.length; index += 1) {
    if ((logits[index] as number) > (logits[best] as number)) best = index;
  }
  return best;
}

/** Picks a token id from `logits` (one vocabulary row). */
export function sampleToken(
  logits: Float32Array,
  sampling: TokenSampling,
  random: () => number,
): number {
  if (sampling.temperature <= 0) return argmax(logits);
  const max = logits[argmax(logits)] as number;
  const weights = new Float64Array(logits.length);
  let total = 0;
  for (let index = 0; index < logits.length; index += 1) {
    const weight = Math.exp(((logits[index] as number) - max) / sampling.temperature);
    weights[index] = weight;
    total += weight;
  }
  let candidates = Array.from(weights.keys());
  if (sampling.topP < 1) {
    candidates.sort((left, right) => (weights[right] as number) - (weights[left] as number));
    let kept = 0;
    let mass = 0;
    while (kept < candidates.length && mass < sampling.topP * total) {
      mass += weights[candidates[kept] as number] as number;
      kept += 1;
    }
    candidates = candidates.slice(0, kept);
    total = mass;
  }
  let target = random() * total;
  for (const id of candidates) {
    target -= weights[id] as number;
    if (target <= 0) return id;
  }
  return candidates.at(-1) as number;
}
