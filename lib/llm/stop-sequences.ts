/**
 * Cuts generated text at the first stop string, keeping the stop string (the LlmBackend
 * contract). Returns null when no stop string occurs.
 */
export function cutAtStop(
  text: string,
  stops: readonly string[],
): { text: string; stop: string } | null {
  let best: { text: string; stop: string } | null = null;
  let bestEnd = Number.POSITIVE_INFINITY;
  for (const stop of stops) {
    if (stop === '') continue;
    const at = text.indexOf(stop);
    if (at >= 0 && at + stop.length < bestEnd) {
      bestEnd = at + stop.length;
      best = { text: text.slice(0, bestEnd), stop };
    }
  }
  return best;
}
