import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StageContext } from '../framework/types.ts';
import { packDirectory, unpackArchive } from './archive.ts';
import { runTrainerProcess, type TrainerEvent } from './trainer-process.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const PACKAGE_DIR = join(REPO_ROOT, 'trainer');

/** The trainer's Python, from RAG_R1_PYTHON; a relative path is taken from the repo root. */
export function trainerPython(configured: string): string {
  return resolve(REPO_ROOT, configured);
}

export interface TrainerStageOptions {
  python: string;
  subcommand: 'sft' | 'ppo' | 'export-onnx' | 'build-tokenizer' | 'probe' | 'import-gguf';
  /** The trainer config; a function gets the unpacked resume checkpoint, if any, first. */
  config: Record<string, unknown> | ((resumeDir?: string) => Promise<Record<string, unknown>>);
  /** Metrics are mirrored to the registry every this many steps (all steps by default). */
  metricEvery?: number;
  /** Resume from the previous attempt's checkpoint (training); off for one-shot commands. */
  resumable?: boolean;
}

export interface TrainerStageResult {
  done: TrainerEvent;
  /** Every progress event's metrics, for the run report's training curves. */
  history: Array<{ step: number; metrics: Record<string, number> }>;
  /** Directory of the last checkpoint the trainer reported, if any. */
  lastCheckpointDir?: string;
  resumedFromStep?: number;
}

/**
 * The GPU activity's core: runs the trainer as a child process, turns its events into
 * heartbeats and metrics, uploads each checkpoint as an artifact, and on a retry hands the
 * last uploaded checkpoint back so training continues instead of restarting.
 */
export async function runTrainerStage(
  ctx: StageContext<unknown>,
  options: TrainerStageOptions,
): Promise<TrainerStageResult> {
  const previous = options.resumable === false ? undefined : await ctx.lastCheckpoint();
  let resumeFrom: string | undefined;
  if (previous) {
    const archive = await ctx.download(previous.ref, `resume-${previous.step}.tar.gz`);
    resumeFrom = join(ctx.workDir, `resume-${previous.step}`);
    await unpackArchive(archive, resumeFrom);
    ctx.log.info('resuming trainer from checkpoint', { step: previous.step });
  }
  const config =
    typeof options.config === 'function' ? await options.config(resumeFrom) : options.config;
  const configPath = join(ctx.workDir, `${options.subcommand}-config.json`);
  await writeFile(configPath, JSON.stringify(config, null, 2));
  const state: EventState = { history: [], lastProgress: { step: previous?.step ?? 0 } };
  // A live trainer is a live stage: keep heartbeating between steps, which can take minutes.
  const keepAlive = setInterval(() => ctx.heartbeat({ ...state.lastProgress }), 10_000);
  try {
    const done = await runTrainerProcess({
      python: options.python,
      packageDir: PACKAGE_DIR,
      subcommand: options.subcommand,
      configPath,
      ...(resumeFrom ? { resumeFrom } : {}),
      ...(ctx.gpu ? { gpuIndex: ctx.gpu.index } : {}),
      signal: ctx.signal,
      onEvent: (event) => handleEvent(ctx, options, state, event),
    });
    return {
      done,
      history: state.history,
      ...(state.lastCheckpointDir ? { lastCheckpointDir: state.lastCheckpointDir } : {}),
      ...(previous ? { resumedFromStep: previous.step } : {}),
    };
  } finally {
    clearInterval(keepAlive);
  }
}

interface EventState {
  history: TrainerStageResult['history'];
  lastProgress: { step: number; total?: number };
  lastCheckpointDir?: string;
}

/** Progress → heartbeat + metrics; checkpoint → an uploaded artifact the next attempt resumes. */
async function handleEvent(
  ctx: StageContext<unknown>,
  options: TrainerStageOptions,
  state: EventState,
  event: TrainerEvent,
): Promise<void> {
  switch (event.event) {
    case 'progress': {
      ctx.heartbeat({ step: event.step, total: event.total, metrics: event.metrics });
      state.history.push({ step: event.step, metrics: event.metrics });
      state.lastProgress = { step: event.step, ...(event.total ? { total: event.total } : {}) };
      if (event.step % (options.metricEvery ?? 1) === 0) {
        for (const [key, value] of Object.entries(event.metrics)) {
          await ctx.logMetric(`${options.subcommand}/${key}`, value, event.step);
        }
      }
      return;
    }
    case 'checkpoint': {
      const archive = join(ctx.workDir, `checkpoint-${event.step}.tar.gz`);
      await packDirectory(event.path, archive);
      await ctx.saveCheckpoint(archive, { step: event.step });
      state.lastCheckpointDir = event.path;
      return;
    }
    case 'log':
      ctx.log.info(event.message);
      return;
    case 'error':
      ctx.log.error(`trainer error ${event.code}: ${event.message}`);
      return;
    case 'done':
      return;
  }
}
