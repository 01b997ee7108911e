/**
 * Rollout-engine benchmark: N concurrent multi-turn mq rollouts through the real driver, HTTP
 * backend and OpenAI-compatible server (scripted policy, injected latency) and an in-process
 * retriever with injected latency. Measures the driver's overhead beyond the injected latency
 * and the wall-time cost of a 3-query turn against a 1-query turn; figures in summary.ts and
 * README.md. Repeats alternate the 1-query and 3-query scenarios so drifting machine load hits
 * both alike.
 *   tsx bench/rollout/run.ts [--rollouts 1000] [--repeats 1] [--llm-latency-ms 1500]
 *     [--llm-latency-jitter 0] [--retrieval-latency-ms 300] [--searches 3] [--cold-pool]
 *     [--drivers 1] [--servers 1] [--server-cpu-prof DIR]
 * `--drivers N` splits the rollouts over N driver processes started together, as a stage
 * sharded over N worker processes runs them; the figures are over all of them. `--servers M`
 * runs M fake servers, so that on a many-core host the fake endpoint is not the bottleneck.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { epochMs, prepareDrive, type DriveResult, type DriveSpec } from './drive.ts';
import {
  round,
  summarizeRepeats,
  summarizeScenario,
  type BenchSettings,
  type ScenarioSummary,
} from './summary.ts';

interface RunOptions {
  /** Keep only the sockets the warm-up left instead of opening one per rollout first. */
  isColdPool: boolean;
  /** Driver processes the rollouts are split over (1: this process). */
  drivers: number;
  /** Fake-server processes; driver i talks to server i mod servers. */
  servers: number;
  /** Write the fake server's CPU profile here (node --cpu-prof). */
  serverCpuProfileDir?: string;
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
    '--latency-jitter',
    String(settings.llmLatencyJitter),
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

/** A driver measured in this process or in a child process; both run `drive.ts`. */
interface Driver {
  run(startEpochMs: number): Promise<DriveResult>;
  close(): Promise<void>;
}

async function childDriver(spec: DriveSpec): Promise<Driver> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'drive-child.ts')],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`bench driver process exited with code ${String(code)}`);
  });
  exited.catch(() => undefined);
  const next = async <T>(type: string): Promise<T> => {
    const message = new Promise<T>((resolve) => {
      const onMessage = (received: { type: string }) => {
        if (received.type !== type) return;
        child.off('message', onMessage);
        resolve(received as T);
      };
      child.on('message', onMessage);
    });
    return Promise.race([message, exited]);
  };
  const ready = next('ready');
  child.send({ type: 'prepare', spec });
  await ready;
  return {
    async run(startEpochMs) {
      const done = next<{ result: DriveResult }>('done');
      child.send({ type: 'go', startEpochMs });
      return (await done).result;
    },
    async close() {
      if (child.exitCode === null) child.kill('SIGTERM');
    },
  };
}

async function runScenario(
  settings: BenchSettings,
  queries: number,
  options: RunOptions,
): Promise<ScenarioSummary> {
  const servers: Array<{ url: string; child: ChildProcess }> = [];
  const drivers: Driver[] = [];
  try {
    for (let index = 0; index < options.servers; index += 1) {
      servers.push(await startServer(settings, queries, options.serverCpuProfileDir));
    }
    const perDriver = Math.ceil(settings.rollouts / options.drivers);
    const specs: DriveSpec[] = [];
    for (let first = 0; first < settings.rollouts; first += perDriver) {
      const count = Math.min(perDriver, settings.rollouts - first);
      const { url } = servers[specs.length % servers.length] as (typeof servers)[number];
      const { retrievalLatencyMs } = settings;
      specs.push({ url, retrievalLatencyMs, first, count, isColdPool: options.isColdPool });
    }
    const open = options.drivers === 1 ? prepareDrive : childDriver;
    drivers.push(...(await Promise.all(specs.map(open))));
    await endpointResidence(servers);
    const serverCpuBefore = await serversCpuMs(servers);
    const startEpochMs = epochMs();
    const results = await Promise.all(drivers.map((driver) => driver.run(startEpochMs)));
    const serverCpuMs = (await serversCpuMs(servers)) - serverCpuBefore;
    const residenceMs = await endpointResidence(servers);
    return summarizeScenario({
      settings,
      queries,
      drivers: results.length,
      servers: servers.length,
      wallMs: Math.max(...results.map((result) => result.endMs)),
      trajectories: results.flatMap((result) => result.trajectories),
      spans: results.flatMap((result) => result.spans),
      saved: results.reduce((sum, result) => sum + result.saved, 0),
      residenceMs,
      driverCpuMs: results.reduce((sum, result) => sum + result.cpuMs, 0),
      serverCpuMs,
      loadAverage1m: round(loadavg()[0] ?? 0, 2),
    });
  } finally {
    await Promise.all(drivers.map((driver) => driver.close()));
    for (const { child } of servers) child.kill('SIGTERM');
  }
}

async function serversCpuMs(servers: Array<{ child: ChildProcess }>): Promise<number> {
  const each = await Promise.all(servers.map(({ child }) => childCpuMs(child.pid)));
  return each.reduce((sum, ms) => sum + ms, 0);
}

/** Each question's total time inside the fake servers since the last call (they forget). */
async function endpointResidence(servers: Array<{ url: string }>): Promise<Map<number, number>> {
  const total = new Map<number, number>();
  for (const { url } of servers) {
    const response = await fetch(`${url.replace(/\/v1$/, '')}/bench/residence`);
    const rows = (await response.json()) as Array<[number, number]>;
    for (const [question, ms] of rows) total.set(question, (total.get(question) ?? 0) + ms);
  }
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
  const pairs: Array<[ScenarioSummary, ScenarioSummary]> = [];
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    const oneQuery = await runScenario(settings, 1, options);
    const threeQueries = await runScenario(settings, 3, options);
    pairs.push([oneQuery, threeQueries]);
  }
  const report = {
    bench: 'rollout',
    settings,
    isColdPool: options.isColdPool,
    drivers: options.drivers,
    servers: options.servers,
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
      'llm-latency-jitter': { type: 'string', default: '0' },
      'retrieval-latency-ms': { type: 'string', default: '300' },
      searches: { type: 'string', default: '3' },
      repeats: { type: 'string', default: '1' },
      'cold-pool': { type: 'boolean', default: false },
      drivers: { type: 'string', default: '1' },
      servers: { type: 'string', default: '1' },
      'server-cpu-prof': { type: 'string' },
    },
  });
  const count = (name: 'drivers' | 'servers'): number => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`--${name}: expected a positive integer, got ${values[name]}`);
    }
    return value;
  };
  const jitter = Number(values['llm-latency-jitter']);
  if (!(jitter >= 0 && jitter < 1)) {
    throw new Error(`--llm-latency-jitter: expected a fraction in [0, 1), got ${jitter}`);
  }
  const report = await runRolloutBench(
    {
      rollouts: Number(values.rollouts),
      llmLatencyMs: Number(values['llm-latency-ms']),
      llmLatencyJitter: jitter,
      retrievalLatencyMs: Number(values['retrieval-latency-ms']),
      searches: Number(values.searches),
    },
    Number(values.repeats),
    {
      isColdPool: values['cold-pool'],
      drivers: count('drivers'),
      servers: count('servers'),
      ...(values['server-cpu-prof'] ? { serverCpuProfileDir: values['server-cpu-prof'] } : {}),
    },
  );
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}
