import { Option, type Command } from 'commander';
import { loadEnv } from '../lib/env.ts';
import { ConfigError } from '../lib/errors.ts';
import { renderComparison } from '../lib/eval/render-comparison.ts';
import { SWEEP_OVERLAP_POLICIES, type SweepOverlapPolicy } from '../lib/eval/sweep-spec.ts';
import { connectTemporal } from '../workflows/client/connect.ts';
import type * as SweepsModule from '../infra/eval/sweeps.ts';
import type { SweepDeps, SweepInfo } from '../infra/eval/sweeps.ts';
import { withDb } from './with-db.ts';

async function withSweeps<T>(
  prefix: string | undefined,
  fn: (deps: SweepDeps, sweeps: typeof SweepsModule) => Promise<T>,
): Promise<T> {
  const sweeps = await import('../infra/eval/sweeps.ts');
  const client = await connectTemporal(loadEnv());
  try {
    return await withDb((db) =>
      fn({ db, client, ...(prefix ? { taskQueuePrefix: prefix } : {}) }, sweeps),
    );
  } finally {
    await client.connection.close();
  }
}

const print = (json: boolean, value: unknown, text: () => string) =>
  console.log(json ? JSON.stringify(value, null, 2) : text());
const collect = (value: string, previous: string[]) => [
  ...previous,
  ...value.split(',').filter(Boolean),
];
const integers = (value: string, previous: number[]) => [
  ...previous,
  ...value.split(',').map((item) => {
    const parsed = Number(item);
    if (!Number.isInteger(parsed) || parsed <= 0)
      throw new ConfigError(`--top-k: "${item}" is not a positive integer`);
    return parsed;
  }),
];

function describeSweep(info: SweepInfo): string {
  const when = info.spec.cron ? `cron "${info.spec.cron}"` : `every ${info.spec.intervalSeconds}s`;
  return `${info.name}  ${info.paused ? 'paused' : 'active'}  ${when}  overlap=${info.spec.overlap}  executions=${info.executions} running=${info.running}  results=${info.evalResults}  next=${info.nextRuns[0] ?? '-'}`;
}

function registerCompare(program: Command): void {
  program
    .command('compare')
    .description(
      'evaluation results side by side: deltas vs the first run with paired-bootstrap 95% intervals, Holm-adjusted p-values, averages, stamp warnings, config diff',
    )
    .argument(
      '<runs...>',
      'run ids, or RUN:method to compare methods (e.g. RUN:sft RUN:ppo); the first is the baseline',
    )
    .option('--metric <metric>', 'em or f1', 'em')
    .option('--method <name>', 'only this method (repeatable, comma-separated)', collect, [])
    .option('--dataset <name>', 'only this dataset (repeatable, comma-separated)', collect, [])
    .option('--resamples <n>', 'bootstrap resamples', '2000')
    .option('--seed <n>', 'bootstrap seed', '20250702')
    .option('--json', 'machine-readable output', false)
    .action(async (runIds: string[], options) => {
      if (options.metric !== 'em' && options.metric !== 'f1')
        throw new ConfigError('--metric: em or f1');
      const { compareRuns } = await import('../infra/eval/compare-query.ts');
      await withDb(async (db) => {
        const comparison = await compareRuns(db, runIds, {
          metric: options.metric,
          resamples: Number(options.resamples),
          seed: Number(options.seed),
          ...(options.method.length ? { methods: options.method } : {}),
          ...(options.dataset.length ? { datasets: options.dataset } : {}),
        });
        for (const warning of comparison.stampWarnings)
          if (options.json) console.error(`warning: ${warning.message}`);
        print(options.json, comparison, () => renderComparison(comparison));
      });
    });
}

function registerSweep(program: Command): void {
  const sweep = program
    .command('sweep')
    .description('scheduled evaluation sweeps (Temporal Schedules)');
  const prefixOption = () => new Option('--queue-prefix <prefix>').hideHelp();
  sweep
    .command('create')
    .description('schedule evaluations of checkpoints x datasets x retriever settings')
    .argument('<name>', 'lowercase letters, digits and dashes')
    .option('--cron <expr>', 'cron expression, e.g. "0 3 * * *"')
    .option('--every <seconds>', 'or: an interval in seconds')
    .option('--run <id>', "evaluate this run's latest checkpoint (repeatable)", collect, [])
    .option(
      '--checkpoint <sha256>',
      'evaluate this onnx checkpoint artifact (repeatable)',
      collect,
      [],
    )
    .option(
      '--stage <stage>',
      'ppo-train or sft-train: where a run keeps its checkpoint',
      'ppo-train',
    )
    .option('--data-run <id>', 'run whose prepare stage has the corpus, index and QA sets')
    .requiredOption('--dataset <name>', 'dataset (repeatable, comma-separated)', collect, [])
    .option('--top-k <k>', 'retriever top-k settings (repeatable, comma-separated)', integers, [])
    .option('--mode <mode>', 'sq or mq', 'mq')
    .option('--limit <n>', 'at most n questions per dataset')
    .addOption(
      new Option('--overlap <policy>', 'when an execution is due while one runs')
        .choices([...SWEEP_OVERLAP_POLICIES])
        .default('skip'),
    )
    .option('--json', 'machine-readable output', false)
    .addOption(prefixOption())
    .action(async (name: string, options) => {
      await withSweeps(options.queuePrefix, async (deps, sweeps) => {
        const info = await sweeps.createSweep(deps, {
          name,
          ...(options.cron ? { cron: options.cron } : {}),
          ...(options.every ? { intervalSeconds: Number(options.every) } : {}),
          runIds: options.run,
          checkpoints: options.checkpoint,
          stage: options.stage,
          ...(options.dataRun ? { dataRunId: options.dataRun } : {}),
          datasets: options.dataset,
          ...(options.topK.length ? { topK: options.topK } : {}),
          mode: options.mode,
          ...(options.limit ? { limit: Number(options.limit) } : {}),
          overlap: options.overlap,
        });
        print(options.json, info, () => describeSweep(info));
      });
    });
  sweep
    .command('ls')
    .description('sweeps with their schedule state and result counts')
    .option('--results <name>', "also list one sweep's latest results")
    .option('--json', 'machine-readable output', false)
    .action(async (options) => {
      await withSweeps(undefined, async (deps, sweeps) => {
        const list = await sweeps.listSweeps(deps);
        const results = options.results
          ? await sweeps.sweepResults(deps, options.results)
          : undefined;
        print(options.json, results ? { sweeps: list, results } : list, () => {
          const lines = list.length ? list.map(describeSweep) : ['no sweeps'];
          for (const r of results ?? [])
            lines.push(
              `  ${r.createdAt.toISOString()}  ${r.method}  ${r.dataset}  ckpt ${r.checkpoint.slice(0, 12)}  EM ${(r.em * 100).toFixed(1)}  F1 ${(r.f1 * 100).toFixed(1)}  n=${r.n}`,
            );
          return lines.join('\n');
        });
      });
    });
  const simple = (
    verb: string,
    description: string,
    act: (
      deps: SweepDeps,
      sweeps: typeof SweepsModule,
      name: string,
      options: Record<string, unknown>,
    ) => Promise<void>,
  ) =>
    sweep
      .command(verb)
      .description(description)
      .argument('<name>', 'sweep name or id')
      .action(async (name: string, options: Record<string, unknown>) => {
        await withSweeps(undefined, (deps, sweeps) => act(deps, sweeps, name, options));
        console.log(`${verb}: ${name}`);
      });
  simple('pause', 'stop scheduling executions', (deps, s, name) =>
    s.setSweepPaused(deps, name, true),
  );
  simple('unpause', 'resume scheduling executions', (deps, s, name) =>
    s.setSweepPaused(deps, name, false),
  );
  simple('delete', 'delete the schedule (its results stay)', (deps, s, name) =>
    s.deleteSweep(deps, name),
  );
  simple('trigger', 'run one execution now', (deps, s, name, options) =>
    s.triggerSweep(deps, name, options['overlap'] as SweepOverlapPolicy | undefined),
  ).addOption(
    new Option('--overlap <policy>', 'overlap policy for this trigger only').choices([
      ...SWEEP_OVERLAP_POLICIES,
    ]),
  );
}

/** Registers `compare` and `sweep create/ls/pause/unpause/delete/trigger`. */
export function registerEvalCommands(program: Command): void {
  registerCompare(program);
  registerSweep(program);
}
