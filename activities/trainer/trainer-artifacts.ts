import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadEnv } from '../../lib/env.ts';
import { writeJsonl } from '../../lib/jsonl.ts';
import type { StageContext } from '../framework/types.ts';
import { packDirectory } from './archive.ts';
import { runTrainerStage, trainerPython, type TrainerStageResult } from './run-trainer-stage.ts';

/** Runs a one-shot trainer command (tokenizer build, ONNX export, a short pretraining): no resume. */
export async function runTrainerCommand(
  ctx: StageContext<unknown>,
  subcommand: 'build-tokenizer' | 'export-onnx' | 'sft' | 'import-gguf',
  config: Record<string, unknown>,
): Promise<TrainerStageResult> {
  const python = trainerPython(loadEnv().RAG_R1_PYTHON);
  return runTrainerStage(ctx, { python, subcommand, config, resumable: false });
}

/**
 * Torch CPU threads for a training stage: RAG_R1_TRAINER_THREADS, default 1. On a shared
 * 2-core machine two threads measured ~50x slower under contention (trainer README); on an
 * otherwise idle one they make a tiny-model SFT step 1.6x faster (0.8 vs 1.3 s for 8 x 1024
 * tokens), so the main job, which owns the machine, sets it to the core count. GPU runs do
 * their math on the device.
 */
export function cpuThreads(): number {
  return loadEnv().RAG_R1_TRAINER_THREADS;
}

/** True when a jsonl file has at least one row (the trainer refuses empty datasets). */
export async function hasRows(path: string): Promise<boolean> {
  return (await stat(path)).size > 1;
}

/** Whether a checkpoint directory is a Hugging Face one (config.json with a `model_type`). */
export async function isHfCheckpoint(dir: string): Promise<boolean> {
  try {
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as unknown;
    return typeof config === 'object' && config !== null && 'model_type' in config;
  } catch {
    return false;
  }
}

/**
 * Publishes a trained checkpoint: the trainer's directory (resume, PPO init), the training
 * curve (the report's charts) and, for the tiny model, its ONNX export (CPU evaluation). An
 * HF checkpoint is published as the save_pretrained directory it is (`hf-checkpoint`): the
 * trainer's `serve` or vLLM serve it as is.
 */
export async function publishTrainedModel(
  ctx: StageContext<unknown>,
  options: {
    checkpointDir: string;
    history: TrainerStageResult['history'];
    verifyPrompts: string[];
  },
): Promise<void> {
  const hf = await isHfCheckpoint(options.checkpointDir);
  const checkpointArchive = join(ctx.workDir, 'checkpoint.tar.gz');
  const curvePath = join(ctx.workDir, 'curve.jsonl');
  if (!hf) {
    const onnxDir = join(ctx.workDir, 'onnx');
    await runTrainerCommand(ctx, 'export-onnx', {
      checkpoint: options.checkpointDir,
      output_dir: onnxDir,
      verify_prompts: options.verifyPrompts,
    });
    const onnxArchive = join(ctx.workDir, 'onnx.tar.gz');
    await packDirectory(onnxDir, onnxArchive);
    await ctx.publish('onnx', onnxArchive, 'onnx-checkpoint', 'application/gzip');
  }
  // An HF checkpoint is published as the model (what PPO starts from and serving loads):
  // the optimizer state, three times the weights in size, travels only in resume checkpoints.
  await packDirectory(options.checkpointDir, checkpointArchive, {
    exclude: hf ? ['trainer_state.pt'] : [],
  });
  await writeJsonl(curvePath, options.history);
  const kind = hf ? 'hf-checkpoint' : 'torch-checkpoint';
  await ctx.publish('checkpoint', checkpointArchive, kind, 'application/gzip');
  await ctx.publish('curve', curvePath, 'training-curve', 'application/x-ndjson');
}
