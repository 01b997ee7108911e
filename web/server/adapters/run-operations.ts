import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { PrismaClient } from '../../../infra/db/client.ts';
import { LabError } from '../../../lib/errors.ts';
import * as shared from '../../../workflows/client/launch-run.ts';
import type { LaunchRequest } from '../types.ts';
import { resolveLaunch } from './config-plan.ts';

/**
 * The web's run operations: the shared launch/resume/cancel of workflows/client/launch-run.ts
 * (the CLI's), with unknown ids as NOT_FOUND and Temporal failures as readable LabErrors.
 */
export type RunOperationDeps = {
  db: PrismaClient;
  temporal: () => Promise<Client>;
  /** Task queue prefix (tests, tenants); default none. */
  taskQueuePrefix?: string;
};

type Started = { runId: string; workflowId: string };

function temporalFailure(action: string, runId?: string) {
  return (error: unknown): never => {
    if (error instanceof LabError) throw error;
    if (error instanceof WorkflowNotFoundError) {
      throw new LabError('NOT_FOUND', `the workflow of run ${runId} no longer exists in Temporal`, { cause: error });
    }
    throw new LabError('SERVICE_UNAVAILABLE', `Temporal: could not ${action} (${(error as Error).message})`, { cause: error });
  };
}

async function requireRun(db: PrismaClient, runId: string): Promise<void> {
  const run = await db.run.findUnique({ where: { id: runId }, select: { id: true } });
  if (!run) throw new LabError('NOT_FOUND', `run ${runId} not found`);
}

const prefixOf = (deps: RunOperationDeps) => (deps.taskQueuePrefix ? { taskQueuePrefix: deps.taskQueuePrefix } : {});

/** Resolves the config like `rag-r1 run` (ConfigError names the field) and launches it. */
export async function launchRun(deps: RunOperationDeps, request: LaunchRequest): Promise<Started> {
  const config = resolveLaunch(request);
  const client = await deps.temporal();
  const { runId, workflowId } = await shared
    .launchRun({ db: deps.db, client, config, force: request.force, ...prefixOf(deps) })
    .catch(temporalFailure('start the run'));
  return { runId, workflowId };
}

/** A failed or cancelled run again as a new linked run, reusing its completed stages. */
export async function resumeRun(deps: RunOperationDeps, runId: string): Promise<Started> {
  await requireRun(deps.db, runId);
  const client = await deps.temporal();
  const { runId: newRunId, workflowId } = await shared
    .resumeRun({ db: deps.db, client, runId, ...prefixOf(deps) })
    .catch(temporalFailure('resume the run', runId));
  return { runId: newRunId, workflowId };
}

/** Asks a pending or running run's workflow to cancel. */
export async function cancelRun(deps: RunOperationDeps, runId: string): Promise<void> {
  await requireRun(deps.db, runId);
  const client = await deps.temporal();
  await shared
    .cancelRun({ db: deps.db, client, runId, reason: 'cancelled from the web UI' })
    .catch(temporalFailure('cancel the run', runId));
}
