/**
 * `rag-r1 worker --processes N`: N worker processes on one host, supervised by this one. A
 * process is one event loop, and a CPU stage's rollouts are bound by its event loop (the
 * rollout bench: one loop turns ~1,500-2,500 rollout turns a second), so a many-core host runs
 * more CPU stage shards at once only in more processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { ConfigError } from '../lib/errors.ts';
import type { QueueKind } from '../lib/stages/types.ts';

export interface WorkerProcessPlan {
  queues: QueueKind[];
  /** Concurrent CPU stages in this process; absent where it polls no cpu queue. */
  cpuConcurrency?: number;
}

/**
 * The first process polls every queue asked for; the others add CPU capacity only (the GPU
 * lease is per process, so GPU stages stay in one, and one workflow poller is enough). CPU
 * concurrency is per process: `cpuConcurrency`, or the host's cores shared out.
 */
export function planWorkerProcesses(options: {
  queues: QueueKind[];
  processes: number;
  cores: number;
  cpuConcurrency?: number;
}): WorkerProcessPlan[] {
  const { queues, processes } = options;
  if (!Number.isInteger(processes) || processes < 1) {
    throw new ConfigError(`--processes: expected a positive integer, got ${processes}`);
  }
  const hasCpu = queues.includes('cpu');
  if (processes > 1 && !hasCpu) {
    throw new ConfigError(
      `--processes ${processes}: the extra processes poll only the cpu queue, and --queues ${queues.join(',')} has none`,
    );
  }
  const cpuConcurrency =
    options.cpuConcurrency ?? Math.max(1, Math.ceil(options.cores / processes));
  return Array.from({ length: processes }, (_, index) => {
    const own: QueueKind[] = index === 0 ? queues : ['cpu'];
    return own.includes('cpu') ? { queues: own, cpuConcurrency } : { queues: own };
  });
}

/** Set in each child to the supervisor's pid (see `exitWithSupervisor`). */
export const SUPERVISED_ENV = 'RAG_R1_WORKER_SUPERVISOR_PID';

/**
 * In a supervised child: sends this process SIGTERM (a graceful worker shutdown) once the
 * supervisor is gone. Children sit in their own process group, so a supervisor killed with
 * SIGKILL would otherwise leave them polling with nobody to stop them.
 */
export function exitWithSupervisor(checkEveryMs = 2_000): void {
  const supervisor = Number(process.env[SUPERVISED_ENV]);
  if (!Number.isInteger(supervisor) || supervisor <= 0) return;
  const timer = setInterval(() => {
    if (process.ppid === supervisor) return;
    clearInterval(timer);
    console.error(`rag-r1 worker: supervisor ${supervisor} is gone; shutting down`);
    process.kill(process.pid, 'SIGTERM');
  }, checkEveryMs);
  timer.unref();
}

export interface SupervisedCommand {
  /** Named in log lines. */
  name: string;
  args: string[];
}

export interface ProcessGroup {
  /** Signals every child (SIGTERM by default) and resolves once all have exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Resolves once the group is stopped and every child has exited. */
  readonly stopped: Promise<void>;
  /** Restarts so far, by command name. */
  readonly restarts: ReadonlyMap<string, number>;
}

export interface ProcessGroupOptions {
  /** Each runs as `node <args>`, with this process's Node. */
  commands: SupervisedCommand[];
  /** First restart delay; doubled per quick crash up to `maxRestartDelayMs` (defaults 1 s, 30 s). */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  /** A child that ran this long before exiting is restarted after the first delay again (60 s). */
  stableAfterMs?: number;
  log?: (line: string) => void;
}

/**
 * Runs every command as a child process and restarts one that exits, with a growing delay
 * while it keeps crashing, until `stop`. Temporal retries the stages a dead worker held, so a
 * restart only has to bring the capacity back.
 */
export function startProcessGroup(options: ProcessGroupOptions): ProcessGroup {
  const firstDelay = options.restartDelayMs ?? 1_000;
  const maxDelay = options.maxRestartDelayMs ?? 30_000;
  const stableAfter = options.stableAfterMs ?? 60_000;
  const log = options.log ?? ((line: string) => console.error(line));
  const live = new Map<string, ChildProcess>();
  const timers = new Set<NodeJS.Timeout>();
  const restarts = new Map<string, number>();
  let stopping = false;
  let markStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (markStopped = resolve));
  const settleIfDone = (): void => {
    if (stopping && live.size === 0) markStopped();
  };

  const run = (command: SupervisedCommand, delay: number): void => {
    const started = Date.now();
    // Own process group: a terminal's Ctrl-C reaches only this supervisor, which passes one
    // signal on. Temporal's worker treats a second SIGINT as an immediate exit.
    const child = spawn(process.execPath, command.args, {
      stdio: 'inherit',
      detached: true,
      env: { ...process.env, [SUPERVISED_ENV]: String(process.pid) },
    });
    live.set(command.name, child);
    child.once('exit', (code, signal) => {
      live.delete(command.name);
      if (stopping) return settleIfDone();
      const wait = Date.now() - started >= stableAfter ? firstDelay : delay;
      log(
        `rag-r1 worker: ${command.name} exited (${signal ?? `code ${code}`}); restarting in ${wait} ms`,
      );
      restarts.set(command.name, (restarts.get(command.name) ?? 0) + 1);
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!stopping) run(command, Math.min(wait * 2, maxDelay));
      }, wait);
      timers.add(timer);
    });
  };
  for (const command of options.commands) run(command, firstDelay);

  return {
    stopped,
    restarts,
    async stop(signal = 'SIGTERM') {
      stopping = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const child of live.values()) child.kill(signal);
      settleIfDone();
      await stopped;
    },
  };
}
