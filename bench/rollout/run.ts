/**
 * Rollout-engine benchmark: N concurrent multi-turn mq rollouts through the real driver, HTTP
 * backend and OpenAI-compatible server (scripted policy, injected latency) and an in-process
 * retriever with injected latency. Measures the driver's overhead beyond the injected latency
 * and the wall-time cost of a 3-query turn against a 1-query turn; figures in summary.ts and
 * README.md. Repeats alternate the 1-query and 3-query scenarios so drifting machine load hits
 * both alike.
 *   tsx bench/rollout/run.ts [--rollouts 1000] [--repeats 1] [--llm-latency-ms 1500]
 *     [--retrieval-latency-ms 300] [--searches 3] [--cold-pool] [--server-cpu-prof DIR]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { RolloutConfigSchema } from '../../lib/agent/config.ts';
import { runRollouts } from '../../lib/agent/driver.ts';
import { createJsonlCheckpoint } from '../../lib/agent/jsonl-checkpoint.ts';
import { runRollout } from '../../lib/agent/rollout.ts';
import { TrajectorySchema } from '../../lib/agent/trajectory.ts';
import { abortableSleep } from '../../lib/llm/abortable-sleep.ts';
import { OpenAiHttpBackend } from '../../lib/llm/openai-http.ts';
import type { Passage, Retriever } from '../../lib/retrieval/types.ts';
import { sharedDataPath } from '../../lib/shared-data.ts';
import {
  round,
  summarizeRepeats,
  summarizeScenario,
  type BenchSettings,
  type RolloutSpan,
  type ScenarioSummary,
} from './summary.ts';

interface RunOptions {
  /** Keep only the sockets the warm-up left instead of opening one per rollout first. */
  isColdPool: boolean;
  /** Write the fake server's CPU profile here (node --cpu-prof). */
  serverCpuProfileDir?: string;
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

async function startServer(
  settings: BenchSettings,
  queries: number,
  profileDir: string | undefined,
): Promise<{ url: string; child: ChildProcess }> {
  const args = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  args.push('--import', 'tsx', join(import.meta.dirname, 'fake-server.ts'));
  args.push(
    '--latency-ms',
    String(settings.llmLatencyMs),
    '--searches',
    String(settings.searches),
    '--queries',
    String(queries),
  );
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) {
    if (line.startsWith('{')) return { url: (JSON.parse(line) as { url: string }).url, child };
  }
  throw new Error('bench server exited before listening');
}

async function runScenario(
  settings: BenchSettings,
  queries: number,
  passages: Passage[],
  options: RunOptions,
): Promise<ScenarioSummary> {
  const { url, child } = await startServer(settings, queries, options.serverCpuProfileDir);
  const dir = await mkdtemp(join(tmpdir(), 'rollout-bench-'));
  try {
    const backend = new OpenAiHttpBackend({
      baseUrl: url,
      model: 'bench-policy',
      maxConcurrency: settings.rollouts,
      timeoutMs: 60_000,
    });
    const retriever = latencyRetriever(passages, settings.retrievalLatencyMs);
    const config = RolloutConfigSchema.parse({ temperature: 0 });
    const items = Array.from({ length: settings.rollouts }, (_, index) => ({
      id: `q${index}`,
      question: `Who wrote play number ${index}?`,
    }));
    const checkpoint = createJsonlCheckpoint({
      path: join(dir, 'rollouts.jsonl'),
      schema: TrajectorySchema,
      keyOf: (row) => row.questionId,
    });
    // Warm-up (not measured): JIT, keep-alive sockets, server-side compilation.
    const warmup = items
      .slice(0, Math.min(200, items.length))
      .map((item) => ({ ...item, id: `warm-${item.id}` }));
    await runRollouts({
      items: warmup,
      concurrency: warmup.length,
      checkpoint: { load: async () => new Map(), save: async () => undefined },
      rollout: (item, signal) =>
        runRollout({ question: item, mode: 'mq', backend, retriever, config, signal }),
    });
    // A stage opens its connection pool once and keeps it (lib/llm/http-transport.ts); opening
    // one socket per rollout here keeps that one-off cost out of the measured turns.
    if (!options.isColdPool) {
      await Promise.all(Array.from({ length: settings.rollouts }, () => backend.checkModel()));
    }
    await endpointResidence(url);
    const spans: RolloutSpan[] = [];
    const cpuBefore = process.cpuUsage();
    const serverCpuBefore = await childCpuMs(child.pid);
    const started = performance.now();
    const result = await runRollouts({
      items,
      concurrency: settings.rollouts,
      checkpoint,
      rollout: async (item, signal) => {
        const startMs = performance.now() - started;
        const trajectory = await runRollout({
          question: item,
          mode: 'mq',
          backend,
          retriever,
          config,
          signal,
        });
        spans.push({
          question: Number(item.id.slice(1)),
          startMs,
          endMs: performance.now() - started,
        });
        return trajectory;
      },
    });
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const serverCpuMs = (await childCpuMs(child.pid)) - serverCpuBefore;
    const residenceMs = await endpointResidence(url);
    const saved = (await checkpoint.load()).size;
    await backend.close();
    return summarizeScenario({
      settings,
      queries,
      wallMs,
      trajectories: result.results,
      spans,
      saved,
      residenceMs,
      driverCpuMs: (cpu.user + cpu.system) / 1000,
      serverCpuMs,
      loadAverage1m: round(loadavg()[0] ?? 0, 2),
    });
  } finally {
    child.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

/** Each question's total time inside the fake server since the last call (it forgets). */
async function endpointResidence(url: string): Promise<Map<number, number>> {
  const response = await fetch(`${url.replace(/\/v1$/, '')}/bench/residence`);
  const rows = (await response.json()) as Array<[number, number, number]>;
  const total = new Map<number, number>();
  for (const [question, , ms] of rows) total.set(question, (total.get(question) ?? 0) + ms);
  return total;
}

/** User+system CPU of a child process from /proc (Linux), in ms; 0 where unavailable. */
async function childCpuMs(pid: number | undefined): Promise<number> {
  try {
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** Runs both scenarios `repeats` times, alternating, and writes bench/results/rollout-<time>.json. */
export async function runRolloutBench(
  settings: BenchSettings,
  repeats: number,
  options: RunOptions,
): Promise<Record<string, unknown>> {
  const passages = await loadPassages(500);
  const pairs: Array<[ScenarioSummary, ScenarioSummary]> = [];
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    const oneQuery = await runScenario(settings, 1, passages, options);
    const threeQueries = await runScenario(settings, 3, passages, options);
    pairs.push([oneQuery, threeQueries]);
  }
  const report = {
    bench: 'rollout',
    settings,
    isColdPool: options.isColdPool,
    checks: summarizeRepeats(pairs),
    runs: pairs.map(([oneQuery, threeQueries]) => ({ oneQuery, threeQueries })),
  };
  const out = join(import.meta.dirname, '..', 'results');
  await mkdir(out, { recursive: true });
  await writeFile(
    join(out, `rollout-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
    JSON.stringify(report, null, 2),
  );
  return report;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      rollouts: { type: 'string', default: '1000' },
      'llm-latency-ms': { type: 'string', default: '1500' },
      'retrieval-latency-ms': { type: 'string', default: '300' },
      searches: { type: 'string', default: '3' },
      repeats: { type: 'string', default: '1' },
      'cold-pool': { type: 'boolean', default: false },
      'server-cpu-prof': { type: 'string' },
    },
  });
  const report = await runRolloutBench(
    {
      rollouts: Number(values.rollouts),
      llmLatencyMs: Number(values['llm-latency-ms']),
      retrievalLatencyMs: Number(values['retrieval-latency-ms']),
      searches: Number(values.searches),
    },
    Number(values.repeats),
    {
      isColdPool: values['cold-pool'],
      ...(values['server-cpu-prof'] ? { serverCpuProfileDir: values['server-cpu-prof'] } : {}),
    },
  );
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}
