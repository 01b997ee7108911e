/**
 * One bench driver: the real HTTP backend, rollout loop and driver over a slice of the
 * questions, with an in-process retriever of injected latency. The bench runs one in its own
 * process, or one per child process with `--drivers N`, as a stage sharded over N worker
 * processes runs (each process has one event loop, so this is how rollouts use more cores).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RolloutConfigSchema } from '../../lib/agent/config.ts';
import { runRollouts } from '../../lib/agent/driver.ts';
import { createJsonlCheckpoint } from '../../lib/agent/jsonl-checkpoint.ts';
import { runRollout } from '../../lib/agent/rollout.ts';
import { TrajectorySchema, type Trajectory } from '../../lib/agent/trajectory.ts';
import { abortableSleep } from '../../lib/llm/abortable-sleep.ts';
import { OpenAiHttpBackend } from '../../lib/llm/openai-http.ts';
import type { Passage, Retriever } from '../../lib/retrieval/types.ts';
import { sharedDataPath } from '../../lib/shared-data.ts';
import { itemId, questionOf, type RolloutSpan } from './summary.ts';

export interface DriveSpec {
  /** The fake server's API root. */
  url: string;
  retrievalLatencyMs: number;
  /** Questions `first` … `first + count - 1` of the scenario. */
  first: number;
  count: number;
  /** Keep only the sockets the warm-up left instead of opening one per rollout first. */
  isColdPool: boolean;
}

export interface DriveResult {
  /** In ms from the start instant the bench gave (shared by every driver process). */
  spans: RolloutSpan[];
  trajectories: Trajectory[];
  /** This driver's user + system CPU during the measured run. */
  cpuMs: number;
  saved: number;
  /** When `runRollouts` returned, its last checkpoint batch saved, in ms from the start. */
  endMs: number;
}

export interface PreparedDrive {
  /** Runs the slice; `startEpochMs` is the bench's start instant (see `epochMs`). */
  run(startEpochMs: number): Promise<DriveResult>;
  close(): Promise<void>;
}

/** Wall-clock ms with sub-ms resolution, comparable across processes on one machine. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

const CORPUS = sharedDataPath('corpus/wiki-sample.jsonl');

async function loadPassages(limit: number): Promise<Passage[]> {
  const lines = (await readFile(CORPUS, 'utf8')).split('\n').filter((line) => line !== '');
  return lines.slice(0, limit).map((line) => JSON.parse(line) as Passage);
}

/** A batched retriever: one call costs the same latency whatever its number of queries. */
function latencyRetriever(passages: Passage[], latencyMs: number): Retriever {
  return {
    id: `bench-latency-${latencyMs}`,
    retrieve: async (queries, topK, signal) => {
      await abortableSleep(latencyMs, signal);
      return queries.map((query, queryIndex) =>
        Array.from({ length: topK }, (_, rank) => ({
          document: passages[
            (query.length * 31 + queryIndex * 7 + rank) % passages.length
          ] as Passage,
          score: 1 / (rank + 1),
        })),
      );
    },
  };
}

/** Builds the driver, warms it up (JIT, keep-alive sockets) and returns it ready to run. */
export async function prepareDrive(spec: DriveSpec): Promise<PreparedDrive> {
  const dir = await mkdtemp(join(tmpdir(), 'rollout-bench-'));
  const backend = new OpenAiHttpBackend({
    baseUrl: spec.url,
    model: 'bench-policy',
    maxConcurrency: spec.count,
    timeoutMs: 60_000,
  });
  const retriever = latencyRetriever(await loadPassages(500), spec.retrievalLatencyMs);
  const config = RolloutConfigSchema.parse({ temperature: 0 });
  const items = Array.from({ length: spec.count }, (_, offset) => ({
    id: itemId(spec.first + offset),
    question: `Who wrote play number ${spec.first + offset}?`,
  }));
  const checkpoint = createJsonlCheckpoint({
    path: join(dir, 'rollouts.jsonl'),
    schema: TrajectorySchema,
    keyOf: (row) => row.questionId,
  });
  const rollout = (item: (typeof items)[number], signal: AbortSignal) =>
    runRollout({ question: item, mode: 'mq', backend, retriever, config, signal });
  // Warm-up (not measured): JIT, keep-alive sockets, server-side compilation.
  const warmup = items
    .slice(0, Math.min(200, items.length))
    .map((item) => ({ ...item, id: `warm-${item.id}` }));
  await runRollouts({
    items: warmup,
    concurrency: warmup.length,
    checkpoint: { load: async () => new Map(), save: async () => undefined },
    rollout,
  });
  // A stage opens its connection pool once and keeps it (lib/llm/http-transport.ts); opening
  // one socket per rollout here keeps that one-off cost out of the measured turns.
  if (!spec.isColdPool) {
    await Promise.all(items.map(() => backend.checkModel()));
  }
  return {
    async run(startEpochMs) {
      const spans: RolloutSpan[] = [];
      const cpuBefore = process.cpuUsage();
      const result = await runRollouts({
        items,
        concurrency: items.length,
        checkpoint,
        rollout: async (item, signal) => {
          const startMs = epochMs() - startEpochMs;
          const trajectory = await rollout(item, signal);
          const question = questionOf(item.id);
          spans.push({ question, startMs, endMs: epochMs() - startEpochMs });
          return trajectory;
        },
      });
      const endMs = epochMs() - startEpochMs;
      const cpu = process.cpuUsage(cpuBefore);
      return {
        spans,
        trajectories: result.results,
        cpuMs: (cpu.user + cpu.system) / 1000,
        saved: (await checkpoint.load()).size,
        endMs,
      };
    },
    async close() {
      await backend.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
