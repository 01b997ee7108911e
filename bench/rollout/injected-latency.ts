import { createSeededRandom } from '../../lib/random.ts';

export interface LlmLatencySettings {
  /** Mean injected latency of one generation. */
  llmLatencyMs: number;
  /**
   * Spread of each generation's latency around the mean, as a fraction: 0.3 draws uniformly
   * from 0.7x to 1.3x. 0 makes every generation take the same time, so all rollouts move in
   * lockstep and every turn's responses reach the driver in one burst (the worst case).
   */
  llmLatencyJitter: number;
}

/**
 * The latency injected into one generation request: drawn from the question and the turn, so
 * the fake server that sleeps it and the summary that subtracts it agree without talking.
 */
export function injectedLlmMs(
  settings: LlmLatencySettings,
  question: number,
  turn: number,
): number {
  if (settings.llmLatencyJitter === 0) return settings.llmLatencyMs;
  const draw = createSeededRandom(question * 64 + turn)();
  return settings.llmLatencyMs * (1 + settings.llmLatencyJitter * (2 * draw - 1));
}
