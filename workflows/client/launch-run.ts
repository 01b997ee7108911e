import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { PrismaClient } from '../../prisma/generated/client.ts';
import { ConfigError } from '../../lib/errors.ts';
import { canonicalJson } from '../../lib/hash.ts';
import type { ResolvedConfig } from '../../lib/config/layering.ts';
import { getRecipe } from '../../lib/recipes/index.ts';
import { taskQueueName } from '../../lib/stages/queue-defaults.ts';
import type { ExperimentWorkflowInput } from '../experiment-state.ts';

/** Options of `launchRun`. */
export interface LaunchRunOptions {
  db: PrismaClient;
  client: Client;
  config: ResolvedConfig;
  force?: boolean;
  resumedFromId?: string;
  /** Experiment display name; default `<recipe>/<preset>`. */
  name?: string;
  taskQueuePrefix?: string;
  historyThreshold?: number;
}

/** A launched run. */
export interface LaunchedRun {
  runId: string;
  workflowId: string;
  experimentId: string;
}

/** Run ids sort by creation time and are short enough to type. */
export function newRunId(now: number = Date.now()): string {
  return `r${now.toString(36)}${randomBytes(4).toString('hex')}`;
}

/**
 * Records the experiment (one per canonical config) and a PENDING run, then starts the
 * workflow. If Temporal refuses, the run is marked FAILED with the reason.
 */
export async function launchRun(options: LaunchRunOptions): Promise<LaunchedRun> {
  const { db, client, config } = options;
  const problems = (await getRecipe(config.recipe).preflight?.(config.config)) ?? [];
  if (problems.length > 0) {
    throw new ConfigError(`cannot launch ${config.recipe}: ${problems.join('; ')}`);
  }
  const experiment = await db.experiment.upsert({
    where: { configHash: config.hash },
    create: {
      name: options.name ?? `${config.recipe}/${config.preset}`,
      recipe: config.recipe,
      preset: config.preset,
      configHash: config.hash,
      config: config.config as object,
    },
    update: {},
  });
  const runId = newRunId();
  const workflowId = `experiment-${runId}`;
  await db.run.create({
    data: {
      id: runId,
      experimentId: experiment.id,
      workflowId,
      force: options.force ?? false,
      resumedFromId: options.resumedFromId ?? null,
    },
  });
  const input: ExperimentWorkflowInput = {
    runId,
    recipe: config.recipe,
    config: config.config,
    force: options.force ?? false,
    ...(options.resumedFromId ? { reuseFromRunId: options.resumedFromId } : {}),
    ...(options.taskQueuePrefix ? { taskQueuePrefix: options.taskQueuePrefix } : {}),
    ...(options.historyThreshold ? { historyThreshold: options.historyThreshold } : {}),
  };
  try {
    await client.workflow.start('experimentWorkflow', {
      taskQueue: taskQueueName('control', options.taskQueuePrefix ?? ''),
      workflowId,
      args: [input],
    });
  } catch (error) {
    await db.run.update({
      where: { id: runId },
      data: { status: 'FAILED', error: `could not start: ${(error as Error).message}` },
    });
    throw error;
  }
  return { runId, workflowId, experimentId: experiment.id };
}

/** Options of `resumeRun`. */
export interface ResumeRunOptions {
  db: PrismaClient;
  client: Client;
  runId: string;
  taskQueuePrefix?: string;
  historyThreshold?: number;
}

/**
 * Starts a new run of a failed or cancelled run's experiment, linked to it. Completed stages
 * come back from the stage cache; the failed stage restarts from its last checkpoint.
 */
export async function resumeRun(options: ResumeRunOptions): Promise<LaunchedRun> {
  const run = await options.db.run.findUnique({
    where: { id: options.runId },
    include: { experiment: true },
  });
  if (!run) throw new ConfigError(`run ${options.runId} does not exist`);
  if (run.status !== 'FAILED' && run.status !== 'CANCELLED') {
    throw new ConfigError(
      `run ${run.id} is ${run.status}; only FAILED or CANCELLED runs can be resumed`,
    );
  }
  const { experiment } = run;
  return launchRun({
    db: options.db,
    client: options.client,
    config: {
      recipe: experiment.recipe,
      preset: experiment.preset ?? 'custom',
      config: experiment.config,
      canonical: canonicalJson(experiment.config),
      hash: experiment.configHash,
    },
    resumedFromId: run.id,
    name: experiment.name,
    ...(options.taskQueuePrefix ? { taskQueuePrefix: options.taskQueuePrefix } : {}),
    ...(options.historyThreshold ? { historyThreshold: options.historyThreshold } : {}),
  });
}

/** Asks a run's workflow to cancel; the workflow marks the run CANCELLED once its stages stop. */
export async function cancelRun(options: {
  db: PrismaClient;
  client: Client;
  runId: string;
  reason?: string;
}): Promise<void> {
  const run = await options.db.run.findUnique({ where: { id: options.runId } });
  if (!run) throw new ConfigError(`run ${options.runId} does not exist`);
  if (run.status !== 'RUNNING' && run.status !== 'PENDING') {
    throw new ConfigError(
      `run ${run.id} is ${run.status}; only PENDING or RUNNING runs can be cancelled`,
    );
  }
  await options.client.workflow
    .getHandle(run.workflowId)
    .signal('cancel', { reason: options.reason ?? 'user request' });
}
