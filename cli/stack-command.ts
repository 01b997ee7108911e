import type { Command } from 'commander';
import { loadEnv } from '../lib/env.ts';
import {
  stackDown,
  stackInstall,
  stackStatus,
  stackUp,
  type ServiceReport,
} from '../infra/stack/manager.ts';
import { resolveStackPaths } from '../infra/stack/paths.ts';
import type { StackContext } from '../infra/stack/service.ts';

interface OutputOptions {
  json?: boolean;
}

function createContext(isQuiet: boolean): StackContext {
  const env = loadEnv();
  return {
    env,
    paths: resolveStackPaths(env.RAG_R1_DATA_DIR),
    log: (line) => {
      if (!isQuiet) process.stderr.write(`${line}\n`);
    },
  };
}

function formatReport(report: ServiceReport): string {
  const pid = report.pid === undefined ? '-' : `pid ${report.pid}`;
  const urls = Object.entries(report.urls)
    .map(([label, url]) => `${label} ${url}`)
    .join('  ');
  const action = report.action ? ` (${report.action.replace('-', ' ')}` : '';
  const seconds = report.seconds === undefined ? '' : ` in ${report.seconds.toFixed(1)}s`;
  const suffix = action ? `${action}${seconds})` : '';
  return `${report.name.padEnd(9)} ${report.state.padEnd(9)} ${pid.padEnd(10)} ${urls}${suffix}`;
}

function print(reports: ServiceReport[], options: OutputOptions): void {
  if (options.json) {
    process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
    return;
  }
  for (const report of reports) process.stdout.write(`${formatReport(report)}\n`);
}

/** Runs an action; a failure prints one `error:` line per problem and sets exit code 1. */
async function runAction(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    for (const line of message.split('\n')) process.stderr.write(`error: ${line}\n`);
    process.exitCode = 1;
  }
}

/**
 * Adds `stack up|down|status|install`: the local Temporal, PostgreSQL, MinIO and MLflow
 * servers on loopback, state under RAG_R1_DATA_DIR (default .data).
 */
export function registerStackCommand(program: Command): void {
  const stack = program
    .command('stack')
    .description('local services: Temporal, PostgreSQL, MinIO, MLflow (state under .data/)');
  stack
    .command('up')
    .description('install what is missing, start every service, wait until healthy')
    .option('--json', 'machine-readable output')
    .action((options: OutputOptions) =>
      runAction(async () => print(await stackUp(createContext(Boolean(options.json))), options)),
    );
  stack
    .command('down')
    .description('stop exactly the processes `up` started (by pid)')
    .option('--json', 'machine-readable output')
    .action((options: OutputOptions) =>
      runAction(async () => print(await stackDown(createContext(true)), options)),
    );
  stack
    .command('status')
    .description('which services run, their pids and URLs (exit 1 unless all healthy)')
    .option('--json', 'machine-readable output')
    .action((options: OutputOptions) =>
      runAction(async () => {
        const reports = await stackStatus(createContext(true));
        print(reports, options);
        if (reports.some((report) => report.state !== 'healthy')) process.exitCode = 1;
      }),
    );
  stack
    .command('install')
    .description('install the pinned servers into .data/ without starting them')
    .action(() => runAction(() => stackInstall(createContext(false))));
}
