import { randomBytes } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { PrismaClient } from '../../../infra/db/client.ts';
import { ConfigError, LabError } from '../../../lib/errors.ts';
import { hashJson } from '../../../lib/hash.ts';
import { getRecipe } from '../../../lib/recipes/index.ts';
import { taskQueueName } from '../../../lib/stages/queue-defaults.ts';
import type { LaunchRequest } from '../types.ts';
import { fieldErrors } from './config-plan.ts';

/** The workflow type and signal this adapter drives (workflows/experiment-*.ts). */
export const EXPERIMENT_WORKFLOW = 'experimentWorkflow';
const CANCEL_SIGNAL = 'cancel';

export type RunOperationDeps = {
  db: PrismaClient;
  temporal: () => Promise<Client>;
  /** Task queue prefix (tests, tenants); default none. */
  taskQueuePrefix?: string;
};

function newRunId(): string {
  return `r${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

function experimentName(config: unknown, recipe: string, preset: string): string {
  const name = (config as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name ? name : `${recipe}-${preset}`;
}

async function startRun(deps: RunOperationDeps, options: {
  recipe: string; preset: string; config: unknown; force: boolean; resumedFromId?: string;
}): Promise<{ runId: string; workflowId: string }> {
  const configHash = hashJson({ recipe: options.recipe, config: options.config });
  const experiment = await deps.db.experiment.upsert({
    where: { configHash },
    create: {
      name: experimentName(options.config, options.recipe, options.preset),
      recipe: options.recipe,
      preset: options.preset,
      configHash,
      config: options.config as object,
    },
    update: {},
  });
  const runId = newRunId();
  const workflowId = `experiment-${runId}`;
  await deps.db.run.create({
    data: { id: runId, experimentId: experiment.id, workflowId, force: options.force, resumedFromId: options.resumedFromId ?? null },
  });
  const prefix = deps.taskQueuePrefix ?? '';
  try {
    const client = await deps.temporal();
    await client.workflow.start(EXPERIMENT_WORKFLOW, {
      taskQueue: taskQueueName('control', prefix),
      workflowId,
      args: [{
        runId, recipe: options.recipe, config: options.config, force: options.force,
        ...(options.resumedFromId ? { reuseFromRunId: options.resumedFromId } : {}),
        ...(prefix ? { taskQueuePrefix: prefix } : {}),
      }],
    });
  } catch (error) {
    await deps.db.run.update({ where: { id: runId }, data: { status: 'FAILED', error: `could not start: ${String(error)}`, finishedAt: new Date() } });
    throw new LabError('SERVICE_UNAVAILABLE', `Temporal: could not start the run (${(error as Error).message})`, { cause: error });
  }
  return { runId, workflowId };
}

/** Validates the config and starts an experimentWorkflow; the Run row exists before it starts. */
export async function launchRun(deps: RunOperationDeps, request: LaunchRequest) {
  const checked = fieldErrors(request);
  if ('errors' in checked) {
    throw new ConfigError(checked.errors.map((error) => `${error.path}: ${error.message}`).join('; '));
  }
  const preset = request.preset ?? getRecipe(request.recipe).defaultPreset;
  return startRun(deps, { recipe: request.recipe, preset, config: checked.config, force: request.force });
}

/**
 * Resumes a failed or cancelled run as a new run of the same config: completed stages are
 * reused by cache key, the failed stage restarts from its last checkpoint.
 */
export async function resumeRun(deps: RunOperationDeps, runId: string) {
  const run = await deps.db.run.findUnique({ where: { id: runId }, include: { experiment: true } });
  if (!run) throw new LabError('NOT_FOUND', `run ${runId} not found`);
  if (run.status !== 'FAILED' && run.status !== 'CANCELLED') {
    throw new ConfigError(`run ${runId} is ${run.status.toLowerCase()}; only failed or cancelled runs resume`);
  }
  return startRun(deps, {
    recipe: run.experiment.recipe,
    preset: run.experiment.preset ?? getRecipe(run.experiment.recipe).defaultPreset,
    config: run.experiment.config,
    force: false,
    resumedFromId: run.id,
  });
}

/** Asks the workflow to stop; a run whose workflow is gone is marked cancelled directly. */
export async function cancelRun(deps: RunOperationDeps, runId: string): Promise<void> {
  const run = await deps.db.run.findUnique({ where: { id: runId } });
  if (!run) throw new LabError('NOT_FOUND', `run ${runId} not found`);
  if (run.status !== 'PENDING' && run.status !== 'RUNNING') {
    throw new ConfigError(`run ${runId} is ${run.status.toLowerCase()}; only pending or running runs cancel`);
  }
  try {
    const client = await deps.temporal();
    await client.workflow.getHandle(run.workflowId).signal(CANCEL_SIGNAL, { reason: 'cancelled from the web UI' });
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) {
      throw new LabError('SERVICE_UNAVAILABLE', `Temporal: could not cancel (${(error as Error).message})`, { cause: error });
    }
    await deps.db.run.update({ where: { id: runId }, data: { status: 'CANCELLED', finishedAt: new Date() } });
  }
}
