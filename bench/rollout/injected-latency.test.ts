import { describe, expect, it } from 'vitest';
import { injectedLlmMs } from './injected-latency.ts';
import { itemId, summarizeScenario, type BenchSettings } from './summary.ts';

const settings: BenchSettings = {
  rollouts: 2,
  llmLatencyMs: 1000,
  llmLatencyJitter: 0.3,
  retrievalLatencyMs: 100,
  searches: 1,
};

describe('injectedLlmMs', () => {
  it('is the mean without jitter', () => {
    expect(injectedLlmMs({ ...settings, llmLatencyJitter: 0 }, 7, 2)).toBe(1000);
  });

  it('draws within the spread, the same for the same question and turn', () => {
    const draws = Array.from({ length: 4000 }, (_, i) => injectedLlmMs(settings, i >> 2, i & 3));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(700);
    expect(Math.max(...draws)).toBeLessThanOrEqual(1300);
    expect(Math.min(...draws)).toBeLessThan(710);
    expect(Math.max(...draws)).toBeGreaterThan(1290);
    const mean = draws.reduce((sum, ms) => sum + ms, 0) / draws.length;
    expect(mean).toBeGreaterThan(990);
    expect(mean).toBeLessThan(1010);
    expect(injectedLlmMs(settings, 12, 1)).toBe(draws[12 * 4 + 1]);
  });
});

describe('summarizeScenario with jitter', () => {
  it('takes the slowest rollout injected path as the critical path', () => {
    const injected = (question: number) =>
      injectedLlmMs(settings, question, 0) + injectedLlmMs(settings, question, 1) + 100;
    const slowest = Math.max(injected(0), injected(1));
    const turn = { action: 'search' as const, llmMs: 0, retrievalMs: 0 };
    const summary = summarizeScenario({
      settings,
      queries: 1,
      drivers: 1,
      servers: 1,
      wallMs: slowest + 50,
      trajectories: [0, 1].map((question) => ({
        questionId: itemId(question),
        turns: [turn, { ...turn, action: 'answer' as const }],
        segments: [],
        retrievalCount: 1,
        finishReason: 'answer',
      })) as never,
      spans: [0, 1].map((question) => ({ question, startMs: 0, endMs: injected(question) + 10 })),
      residenceMs: new Map(),
      saved: 2,
      driverCpuMs: 0,
      serverCpuMs: 0,
      loadAverage1m: 0,
    });
    expect(summary.injectedCriticalPathMs).toBeCloseTo(slowest, 1);
    expect(summary.overheadMs).toBeCloseTo(50, 1);
    expect(summary.rolloutOverheadMs.max).toBeCloseTo(10, 1);
  });
});
