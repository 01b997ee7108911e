/**
 * The rollout bench's figures: per scenario run, and the median and spread over repeats.
 * "Overhead" is always time beyond the injected latency, measured two ways (see README.md):
 * over the whole run's wall time (the figure) and per rollout and per turn.
 */
import type { Trajectory } from '../../lib/agent/trajectory.ts';
import { injectedLlmMs, type LlmLatencySettings } from './injected-latency.ts';

export interface BenchSettings extends LlmLatencySettings {
  rollouts: number;
  retrievalLatencyMs: number;
  searches: number;
}

/** A bench item's id (`q<n>`) from its question number n, and back; the server keys by n. */
export const itemId = (question: number): string => `q${question}`;
export const questionOf = (id: string): number => Number(id.slice(1));

/** When one rollout started and ended, in ms from the start of the measured run. */
export interface RolloutSpan {
  /** The item's question number (the fake server keys its residence times by it). */
  question: number;
  startMs: number;
  endMs: number;
}

export interface ScenarioMeasurement {
  settings: BenchSettings;
  queries: number;
  /** Driver processes the rollouts were split over. */
  drivers: number;
  /** Fake-server processes. */
  servers: number;
  wallMs: number;
  trajectories: Trajectory[];
  spans: RolloutSpan[];
  /** Per question, its generation requests' total time inside the fake server. */
  residenceMs: Map<number, number>;
  saved: number;
  driverCpuMs: number;
  serverCpuMs: number;
  loadAverage1m: number;
}

export function round(value: number, digits = 1): number {
  return Number(value.toFixed(digits));
}

export function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
}

/** The q-quantile (0..1) by nearest rank; NaN for no values. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

function distribution(values: number[]): { mean: number; p50: number; p99: number; max: number } {
  return {
    mean: round(mean(values)),
    p50: round(quantile(values, 0.5)),
    p99: round(quantile(values, 0.99)),
    max: round(Math.max(...values)),
  };
}

/** The figures of one scenario run. */
export function summarizeScenario(run: ScenarioMeasurement) {
  const { settings, trajectories, spans, wallMs } = run;
  const turns = settings.searches + 1;
  // Each rollout's own injected latency; with jitter the slowest of them is the critical path.
  const injectedFor = (question: number): number =>
    Array.from({ length: turns }, (_, turn) => injectedLlmMs(settings, question, turn)).reduce(
      (sum, ms) => sum + ms,
      settings.searches * settings.retrievalLatencyMs,
    );
  const spanInjectedMs = spans.map((span) => injectedFor(span.question));
  const injectedMs = Math.max(...spanInjectedMs);
  const allTurns = trajectories.flatMap((row) => row.turns);
  const searchTurns = allTurns.filter((turn) => turn.action === 'search');
  const lastEndMs = Math.max(...spans.map((span) => span.endMs));
  // The endpoint's share of each rollout: its requests' time inside the server (queueing in
  // the server's socket before Fastify sees a request is not in it, so it counts against the
  // driver) plus the injected retrieval latency.
  const endpointMs = spans.map(
    (span) =>
      (run.residenceMs.get(span.question) ?? Number.NaN) +
      settings.searches * settings.retrievalLatencyMs,
  );
  const driverWallMs = wallMs - Math.max(...endpointMs);
  return {
    loadAverage1m: run.loadAverage1m,
    queriesPerSearch: run.queries,
    drivers: run.drivers,
    servers: run.servers,
    rollouts: trajectories.length,
    answered: trajectories.filter((row) => row.finishReason === 'answer').length,
    savedToCheckpoint: run.saved,
    turnsPerRollout: mean(trajectories.map((row) => row.turns.length)),
    retrievalsPerRollout: mean(trajectories.map((row) => row.retrievalCount)),
    wallMs: round(wallMs),
    injectedCriticalPathMs: round(injectedMs),
    overheadMs: round(wallMs - injectedMs),
    overheadFraction: round((wallMs - injectedMs) / wallMs, 4),
    /**
     * The wall time beyond the slowest rollout's time at the endpoints: what a free driver
     * would save. Unlike overheadFraction, the fake server's own queueing (it shares the
     * driver's cores) is not counted.
     */
    driverWallOverheadMs: round(driverWallMs),
    driverWallOverheadFraction: round(driverWallMs / wallMs, 4),
    /** Each rollout's duration less its time at the endpoints. */
    rolloutDriverMs: distribution(
      spans.map((span, index) => span.endMs - span.startMs - (endpointMs[index] as number)),
    ),
    /** Each rollout's own duration beyond the injected latency. */
    rolloutOverheadMs: distribution(
      spans.map((span, index) => span.endMs - span.startMs - (spanInjectedMs[index] as number)),
    ),
    /** Of the wall overhead: the last rollout's start and the final checkpoint save. */
    lastRolloutStartMs: round(Math.max(...spans.map((span) => span.startMs))),
    finalSaveMs: round(wallMs - lastEndMs),
    llmOverheadPerTurnMs: distribution(
      trajectories.flatMap((row) =>
        row.turns.map(
          (turn, index) => turn.llmMs - injectedLlmMs(settings, questionOf(row.questionId), index),
        ),
      ),
    ),
    retrievalOverheadPerSearchMs: distribution(
      searchTurns.map((turn) => turn.retrievalMs - settings.retrievalLatencyMs),
    ),
    llmMsByTurn: Array.from({ length: turns }, (_, index) =>
      round(mean(trajectories.map((row) => row.turns[index]?.llmMs ?? 0))),
    ),
    meanSearchTurnMs: round(mean(searchTurns.map((turn) => turn.llmMs + turn.retrievalMs))),
    meanObservationChars: round(
      mean(
        trajectories.map(
          (row) =>
            row.segments
              .filter((segment) => segment.kind === 'env')
              .reduce((sum, segment) => sum + segment.text.length, 0) /
            Math.max(1, row.retrievalCount),
        ),
      ),
    ),
    meanResponseChars: round(
      mean(trajectories.map((row) => row.segments.reduce((sum, s) => sum + s.text.length, 0))),
    ),
    driverCpuMs: round(run.driverCpuMs),
    driverCpuFractionOfWall: round(run.driverCpuMs / wallMs, 4),
    driverCpuUsPerRolloutTurn: round((run.driverCpuMs * 1000) / (trajectories.length * turns)),
    serverCpuMs: round(run.serverCpuMs),
  };
}

export type ScenarioSummary = ReturnType<typeof summarizeScenario>;

/** Median, min and max of one figure over repeated runs. */
export function spread(values: number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median = Number.isInteger(middle)
    ? ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
    : (sorted[Math.floor(middle)] as number);
  return {
    median: round(median, 4),
    min: round(sorted[0] ?? Number.NaN, 4),
    max: round(sorted.at(-1) ?? Number.NaN, 4),
  };
}

/** The checks and their figures over repeats: pairs[i] is repeat i's [1-query, 3-query] runs. */
export function summarizeRepeats(pairs: Array<[ScenarioSummary, ScenarioSummary]>) {
  const over = (pick: (pair: [ScenarioSummary, ScenarioSummary]) => number) =>
    spread(pairs.map(pick));
  const overhead = over(([one, three]) => Math.max(one.overheadFraction, three.overheadFraction));
  const ratio = over(([one, three]) => three.meanSearchTurnMs / one.meanSearchTurnMs);
  return {
    repeats: pairs.length,
    loadAverage1m: over(([one, three]) => Math.max(one.loadAverage1m, three.loadAverage1m)),
    overheadFractionOneQuery: over(([one]) => one.overheadFraction),
    overheadFractionThreeQueries: over(([, three]) => three.overheadFraction),
    driverWallOverheadFractionOneQuery: over(([one]) => one.driverWallOverheadFraction),
    driverWallOverheadFractionThreeQueries: over(([, three]) => three.driverWallOverheadFraction),
    rolloutOverheadP50MsOneQuery: over(([one]) => one.rolloutOverheadMs.p50),
    rolloutOverheadP50MsThreeQueries: over(([, three]) => three.rolloutOverheadMs.p50),
    llmOverheadPerTurnP50MsOneQuery: over(([one]) => one.llmOverheadPerTurnMs.p50),
    llmOverheadPerTurnP50MsThreeQueries: over(([, three]) => three.llmOverheadPerTurnMs.p50),
    driverCpuUsPerRolloutTurnOneQuery: over(([one]) => one.driverCpuUsPerRolloutTurn),
    driverCpuUsPerRolloutTurnThreeQueries: over(([, three]) => three.driverCpuUsPerRolloutTurn),
    threeQueryToOneQuerySearchTurnRatio: ratio,
    driverOverheadAtMost2Percent: overhead.median <= 0.02,
    threeQueryTurnWithin30PercentOfOneQuery: ratio.median <= 1.3,
  };
}
