import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { PrismaClient } from '../prisma/generated/client.ts';
import { loadEnv } from '../lib/env.ts';
import { parseConfigText, resolveConfig } from '../lib/config/layering.ts';
import { DEFAULT_RECIPE, getRecipe } from '../lib/recipes/index.ts';
import { buildRunPlan } from '../lib/stages/plan.ts';
import { QUEUE_KINDS, type QueueKind } from '../lib/stages/types.ts';
import type { StageRunDetails } from '../activities/framework/types.ts';
import { connectTemporal } from '../workflows/client/connect.ts';
import { cancelRun, launchRun, resumeRun } from '../workflows/client/launch-run.ts';
import { loadRunShow, renderRunShow } from './render/run-show.ts';
import { waitForRun } from './render/watch.ts';
import { formatDuration, renderTable } from './render/table.ts';
import { withDb } from './with-db.ts';

async function withServices<T>(
  fn: (db: PrismaClient, client: Awaited<ReturnType<typeof connectTemporal>>) => Promise<T>,
): Promise<T> {
  const client = await connectTemporal(loadEnv());
  try {
    return await withDb((db) => fn(db, client));
  } finally {
    await client.connection.close();
  }
}

const print = (json: boolean, value: unknown, text: () => string) =>
  console.log(json ? JSON.stringify(value, null, 2) : text());

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function registerRun(program: Command): void {
  program
    .command('run')
    .description('launch an experiment: preset, then --config file, then --set overrides')
    .option('--recipe <name>', 'recipe to run', DEFAULT_RECIPE)
    .option('--preset <name>', "preset (default: the recipe's default)")
    .option('--config <file>', 'JSON config file layered over the preset')
    .option(
      '--set <key=value>',
      'override a field by dot path; the value is parsed as JSON (repeatable)',
      collect,
      [],
    )
    .option('--force', 'recompute every stage even if a cached output exists', false)
    .option('--wait', 'follow the run until it ends (default on a terminal)')
    .option('--no-wait', 'print the run id and return')
    .option('--plan', 'print the resolved config and stage plan without launching', false)
    .option('--name <name>', 'experiment name')
    .addOption(
      new Option('--queue-prefix <prefix>', 'task queue prefix (tests, tenants)').hideHelp(),
    )
    .option('--json', 'machine-readable output', false)
    .action(async (options) => {
      const recipe = getRecipe(options.recipe);
      const file = options.config
        ? parseConfigText(options.config, await readFile(options.config, 'utf8'))
        : undefined;
      const config = resolveConfig({
        recipe,
        preset: options.preset,
        sets: options.set,
        ...(file ? { file } : {}),
      });
      if (options.plan) {
        const plan = buildRunPlan(recipe, config.config);
        print(options.json, { config: config.config, configHash: config.hash, plan }, () =>
          [
            `config ${config.hash}`,
            JSON.stringify(config.config, null, 2),
            '',
            renderTable([
              ['STAGE', 'QUEUE', 'INPUTS', 'SHARDS', 'VERSION'],
              ...plan.stages.map((s) => [
                s.name,
                s.gpuClass ? `gpu-${s.gpuClass}` : s.queue,
                s.inputs.join(',') || '-',
                String(s.shardCount || ''),
                s.version,
              ]),
            ]),
          ].join('\n'),
        );
        return;
      }
      await withServices(async (db, client) => {
        const launched = await launchRun({
          db,
          client,
          config,
          force: options.force,
          name: options.name,
          taskQueuePrefix: options.queuePrefix,
        });
        const shouldWait = options.wait ?? (process.stdout.isTTY && !options.json);
        if (!shouldWait) {
          print(options.json, launched, () => launched.runId);
          return;
        }
        const status = await waitForRun(db, launched.runId, options.json);
        if (status !== 'COMPLETED') process.exitCode = 1;
      });
    });
}

function registerLsShow(program: Command): void {
  program
    .command('ls')
    .description('list runs, newest first')
    .option('--limit <n>', 'how many', (v) => Number(v), 20)
    .option('--status <status>', 'only runs with this status (RUNNING, FAILED, ...)')
    .option('--json', 'machine-readable output', false)
    .action(async (options) => {
      await withDb(async (db) => {
        const runs = await db.run.findMany({
          where: options.status ? { status: String(options.status).toUpperCase() as never } : {},
          orderBy: { createdAt: 'desc' },
          take: options.limit,
          include: { experiment: true },
        });
        print(
          options.json,
          runs.map((r) => ({
            id: r.id,
            status: r.status,
            recipe: r.experiment.recipe,
            experiment: r.experiment.name,
            createdAt: r.createdAt,
            resumedFromId: r.resumedFromId,
          })),
          () =>
            renderTable([
              ['RUN', 'STATUS', 'RECIPE', 'EXPERIMENT', 'CREATED', 'TIME', 'RESUMES'],
              ...runs.map((r) => [
                r.id,
                r.status,
                r.experiment.recipe,
                r.experiment.name,
                r.createdAt.toISOString().slice(0, 19),
                formatDuration(
                  r.startedAt
                    ? (r.finishedAt ?? new Date()).getTime() - r.startedAt.getTime()
                    : null,
                ),
                r.resumedFromId ?? '',
              ]),
            ]),
        );
      });
    });
  program
    .command('show')
    .description("one run's stages with progress, attempts, workers and errors")
    .argument('<run>', 'run id')
    .option('--watch', 'refresh until the run ends', false)
    .option('--json', 'machine-readable output', false)
    .action(async (runId: string, options) => {
      await withDb(async (db) => {
        if (options.watch) {
          await waitForRun(db, runId, options.json);
          return;
        }
        const show = await loadRunShow(db, runId);
        print(options.json, show, () => renderRunShow(show));
      });
    });
}

function registerResumeCancel(program: Command): void {
  program
    .command('resume')
    .description(
      'start a new run linked to a failed or cancelled one, reusing its completed stages',
    )
    .argument('<run>', 'the failed or cancelled run')
    .option('--wait', 'follow the new run until it ends', false)
    .addOption(new Option('--queue-prefix <prefix>').hideHelp())
    .option('--json', 'machine-readable output', false)
    .action(async (runId: string, options) => {
      await withServices(async (db, client) => {
        const launched = await resumeRun({
          db,
          client,
          runId,
          taskQueuePrefix: options.queuePrefix,
        });
        if (!options.wait) return print(options.json, launched, () => launched.runId);
        if ((await waitForRun(db, launched.runId, options.json)) !== 'COMPLETED')
          process.exitCode = 1;
      });
    });
  program
    .command('cancel')
    .description('cancel a running run: its stages stop within a few heartbeats')
    .argument('<run>', 'run id')
    .option('--wait', 'wait until the run is marked cancelled', false)
    .option('--json', 'machine-readable output', false)
    .action(async (runId: string, options) => {
      await withServices(async (db, client) => {
        await cancelRun({ db, client, runId });
        if (options.wait) await waitForRun(db, runId, options.json);
        else
          print(
            options.json,
            { runId, cancelRequested: true },
            () => `cancel requested for ${runId}`,
          );
      });
    });
}

function registerLogs(program: Command): void {
  program
    .command('logs')
    .description("a run's attempt timeline and the stages' own log lines")
    .argument('<run>', 'run id')
    .option('--stage <name>', 'only this stage')
    .action(async (runId: string, options) => {
      const env = loadEnv();
      await withDb(async (db) => {
        const rows = await db.stageRun.findMany({
          where: { runId, ...(options.stage ? { stage: options.stage } : {}) },
          orderBy: [{ startedAt: 'asc' }, { createdAt: 'asc' }],
        });
        if (rows.length === 0) console.log(`no stage attempts recorded for run ${runId}`);
        const { ArtifactStore } = await import('../infra/s3/artifact-store.ts');
        const store = ArtifactStore.fromEnv(env);
        for (const row of rows) {
          const where = `${row.stage}${row.shard >= 0 ? `#${row.shard}` : ''}`;
          const end = row.finishedAt ? ` → ${row.finishedAt.toISOString()}` : '';
          console.log(
            `${row.startedAt?.toISOString() ?? '-'}${end} ${where} attempt ${row.attempt} ${row.status}` +
              `${row.workerIdentity ? ` on ${row.workerIdentity}` : ''}${row.error ? ` — ${row.errorType}: ${row.error}` : ''}`,
          );
          const log = (row.outputs as StageRunDetails | null)?.log;
          if (log) {
            const text = Buffer.from(await store.getBytes(log.sha256))
              .toString('utf8')
              .trimEnd();
            console.log(text.replace(/^/gm, '    '));
          }
        }
      });
    });
}

function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('poll task queues and run workflows and stages until SIGINT/SIGTERM')
    .option('--queues <list>', `comma-separated: ${QUEUE_KINDS.join(',')}`, 'control,cpu,gpu')
    .option('--gpu-class <class>', 'GPU class to advertise (also polls gpu-<class>)')
    .option(
      '--gpu-count <n>',
      'GPUs on this host: the cap on concurrent GPU stages',
      (v) => Number(v),
      1,
    )
    .option(
      '--cpu-concurrency <n>',
      'concurrent CPU stages per process (default: cores / processes)',
      (v) => Number(v),
    )
    .option(
      '--processes <n>',
      'worker processes on this host; the extra ones poll only the cpu queue (one event loop each)',
      (v) => Number(v),
      1,
    )
    .option('--identity <id>', 'worker identity recorded on StageRun rows')
    .option('--no-mlflow', 'do not mirror metrics to MLflow')
    .addOption(
      new Option('--queue-prefix <prefix>', 'task queue prefix (tests, tenants)').hideHelp(),
    )
    .action(async (options) => {
      const queues = String(options.queues)
        .split(',')
        .map((q) => q.trim())
        .filter(Boolean);
      const unknown = queues.filter((q) => !(QUEUE_KINDS as readonly string[]).includes(q));
      if (unknown.length > 0)
        throw new Error(
          `--queues: unknown queue(s) ${unknown.join(', ')} (known: ${QUEUE_KINDS.join(', ')})`,
        );
      if (options.processes !== 1) {
        await superviseWorkerProcesses(queues as QueueKind[], options);
        return;
      }
      const { startWorker } = await import('../workers/start-worker.ts');
      const { exitWithSupervisor } = await import('../workers/process-group.ts');
      exitWithSupervisor();
      await startWorker({
        queues: queues as QueueKind[],
        env: loadEnv(),
        gpuCount: options.gpuCount,
        mlflow: options.mlflow,
        ...(options.gpuClass ? { gpuClass: options.gpuClass } : {}),
        ...(options.cpuConcurrency ? { cpuConcurrency: options.cpuConcurrency } : {}),
        ...(options.identity ? { identity: options.identity } : {}),
        ...(options.queuePrefix ? { taskQueuePrefix: options.queuePrefix } : {}),
      });
    });
}

/**
 * `worker --processes N`: runs N `worker` commands as child processes (same Node flags and
 * entry as this one) and keeps them up until SIGINT/SIGTERM, which it passes on.
 */
async function superviseWorkerProcesses(
  queues: QueueKind[],
  options: Record<string, unknown>,
): Promise<void> {
  const { planWorkerProcesses, startProcessGroup } = await import('../workers/process-group.ts');
  const { defaultWorkerIdentity } = await import('../activities/framework/run-stage.ts');
  const plan = planWorkerProcesses({
    queues,
    processes: Number(options.processes),
    cores: availableParallelism(),
    ...(options.cpuConcurrency ? { cpuConcurrency: Number(options.cpuConcurrency) } : {}),
  });
  const identity = (options.identity as string | undefined) ?? defaultWorkerIdentity();
  const entry = [...process.execArgv, process.argv[1] as string, 'worker'];
  const commands = plan.map((child, index) => {
    const name = `${identity}-p${index}`;
    const args = [...entry, '--queues', child.queues.join(','), '--identity', name];
    if (child.cpuConcurrency) args.push('--cpu-concurrency', String(child.cpuConcurrency));
    if (child.queues.includes('gpu')) {
      args.push('--gpu-count', String(options.gpuCount));
      if (options.gpuClass) args.push('--gpu-class', String(options.gpuClass));
    }
    if (options.mlflow === false) args.push('--no-mlflow');
    if (options.queuePrefix) args.push('--queue-prefix', String(options.queuePrefix));
    return { name, args };
  });
  const group = startProcessGroup({ commands });
  const stop = (signal: NodeJS.Signals) => void group.stop(signal);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  console.error(`rag-r1 worker: supervising ${commands.length} worker processes`);
  await group.stopped;
}

/** Registers run, ls, show, resume, cancel, logs and worker (`compare` lives with evaluation). */
export function registerRunCommands(program: Command): void {
  registerRun(program);
  registerLsShow(program);
  registerResumeCancel(program);
  registerLogs(program);
  registerWorker(program);
}
