import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { ConfigError, DataError, TrainerCrashedError } from '../../lib/errors.ts';

/**
 * The trainer process protocol (DESIGN.md): `python -m rag_r1_trainer <subcommand> --config F`
 * prints one JSON event per line. This module runs the process and turns its events into
 * callbacks; it knows nothing about Temporal, so it can be tested with any executable.
 */
export const TrainerEventSchema = z.discriminatedUnion('event', [
  z.object({
    event: z.literal('progress'),
    step: z.number(),
    total: z.number().optional(),
    // Non-numeric extras (sample ids, flags) are dropped: metrics are plotted and mirrored.
    metrics: z
      .record(z.string(), z.unknown())
      .default({})
      .transform(
        (all) =>
          Object.fromEntries(
            Object.entries(all).filter(([, v]) => typeof v === 'number' && Number.isFinite(v)),
          ) as Record<string, number>,
      ),
  }),
  z.object({ event: z.literal('checkpoint'), path: z.string(), step: z.number() }),
  z.object({ event: z.literal('done') }).passthrough(),
  z.object({ event: z.literal('error'), code: z.string(), message: z.string() }),
  z.object({ event: z.literal('log'), message: z.string() }).passthrough(),
]);
export type TrainerEvent = z.infer<typeof TrainerEventSchema>;

export interface TrainerProcessOptions {
  python: string;
  /** Directory holding the `rag_r1_trainer` package (put on PYTHONPATH). */
  packageDir: string;
  subcommand: string;
  configPath: string;
  resumeFrom?: string;
  /** CUDA device index this attempt holds; hidden otherwise so a CPU run never grabs a GPU. */
  gpuIndex?: number;
  signal: AbortSignal;
  onEvent: (event: TrainerEvent) => Promise<void> | void;
  /** Grace period between SIGTERM and SIGKILL of the process group on cancellation. */
  killGraceMs?: number;
}

/** Runs the trainer to completion; resolves with the `done` event, throws a LabError otherwise. */
export async function runTrainerProcess(options: TrainerProcessOptions): Promise<TrainerEvent> {
  const args = ['-m', 'rag_r1_trainer', options.subcommand, '--config', options.configPath];
  if (options.resumeFrom) args.push('--resume-from', options.resumeFrom);
  const child = spawn(options.python, args, {
    // Its own process group, so cancellation reaches data-loader workers and other children.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PYTHONPATH: options.packageDir,
      PYTHONUNBUFFERED: '1',
      // The trainer exits if this worker dies, instead of training on as an orphan.
      RAG_R1_EXIT_WITH_PARENT: String(process.pid),
      CUDA_VISIBLE_DEVICES: options.gpuIndex === undefined ? '' : String(options.gpuIndex),
    },
  });
  const stderrTail: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderrTail.push(chunk);
    if (stderrTail.length > 40) stderrTail.shift();
  });
  const killGroup = () => killProcessGroup(child.pid, options.killGraceMs ?? 5_000);
  options.signal.addEventListener('abort', killGroup, { once: true });

  let done: TrainerEvent | undefined;
  let reported: TrainerEvent | undefined;
  const lines = createInterface({ input: child.stdout });
  const exit = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  try {
    for await (const line of lines) {
      const event = parseEvent(line);
      if (!event) continue;
      if (event.event === 'done') done = event;
      if (event.event === 'error') reported = event;
      await options.onEvent(event);
    }
    const code = await exit;
    if (options.signal.aborted) throw new TrainerCrashedError('trainer cancelled');
    if (code === 0 && done) return done;
    throw toLabError(reported, code, stderrTail.join('').slice(-2_000));
  } finally {
    options.signal.removeEventListener('abort', killGroup);
  }
}

function parseEvent(line: string): TrainerEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed = TrainerEventSchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Bad config or data will fail the same way on every retry, so those are not retryable. */
function toLabError(event: TrainerEvent | undefined, code: number | null, stderr: string) {
  if (event?.event === 'error') {
    if (event.code === 'CONFIG_INVALID' || event.code === 'DEVICE_UNAVAILABLE') {
      return new ConfigError(`trainer: ${event.message}`);
    }
    if (event.code === 'DATA_INVALID' || event.code === 'CHECKPOINT_INVALID') {
      return new DataError(`trainer: ${event.message}`);
    }
    return new TrainerCrashedError(`trainer ${event.code}: ${event.message}`);
  }
  return new TrainerCrashedError(
    `trainer exited with code ${code}: ${stderr.trim() || 'no stderr'}`,
  );
}

export function killProcessGroup(pid: number | undefined, graceMs: number): void {
  if (pid === undefined) return;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  };
  signalGroup('SIGTERM');
  setTimeout(() => signalGroup('SIGKILL'), graceMs).unref();
}
