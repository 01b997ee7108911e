import { randomBytes } from 'node:crypto';
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import type { PrismaClient } from '../../../infra/db/client.ts';
import { ConfigError, LabError } from '../../../lib/errors.ts';
import { taskQueueName } from '../../../lib/stages/queue-defaults.ts';
import type { SweepCreate, SweepView } from '../types.ts';

/** The workflow a sweep's schedule starts (issue 9 owns it); one run evaluates the spec once. */
export const SWEEP_WORKFLOW = 'evalSweepWorkflow';

export type SweepDeps = { db: PrismaClient; temporal: () => Promise<Client>; taskQueuePrefix?: string };

type ScheduleRow = { id: string; name: string; scheduleId: string; spec: unknown; paused: boolean; createdAt: Date };

function viewOf(row: ScheduleRow, results: SweepView['results']): SweepView {
  const spec = (row.spec ?? {}) as { cron?: unknown };
  return {
    id: row.id,
    name: row.name,
    cron: typeof spec.cron === 'string' ? spec.cron : '',
    paused: row.paused,
    spec: row.spec,
    createdAt: row.createdAt.toISOString(),
    results,
  };
}

function unavailable(action: string, error: unknown): LabError {
  return new LabError('SERVICE_UNAVAILABLE', `Temporal: could not ${action} (${(error as Error).message})`, { cause: error });
}

/** Sweeps with their results over time (EvalResult rows written by the sweep's runs). */
export async function listSweeps(deps: SweepDeps): Promise<SweepView[]> {
  const rows = await deps.db.schedule.findMany({ orderBy: { createdAt: 'desc' } });
  const results = await deps.db.evalResult.findMany({
    where: { scheduleId: { in: rows.map((row) => row.id) } },
    orderBy: { createdAt: 'asc' },
    select: { scheduleId: true, createdAt: true, dataset: true, checkpoint: true, em: true, f1: true },
  });
  return rows.map((row) => viewOf(row, results
    .filter((result) => result.scheduleId === row.id)
    .map((result) => ({ at: result.createdAt.toISOString(), dataset: result.dataset, checkpoint: result.checkpoint, em: result.em, f1: result.f1 }))));
}

/** Creates the Temporal schedule, then its registry row (a failed create leaves neither). */
export async function createSweep(deps: SweepDeps, request: SweepCreate): Promise<SweepView> {
  if (await deps.db.schedule.findUnique({ where: { name: request.name } })) {
    throw new ConfigError(`name: a sweep named "${request.name}" already exists`);
  }
  // Temporal keeps schedule ids namespace-wide; a suffix keeps a re-created name from colliding.
  const scheduleId = `sweep-${request.name}-${randomBytes(3).toString('hex')}`;
  const client = await deps.temporal();
  try {
    await client.schedule.create({
      scheduleId,
      spec: { cronExpressions: [request.cron] },
      action: {
        type: 'startWorkflow',
        workflowType: SWEEP_WORKFLOW,
        taskQueue: taskQueueName('control', deps.taskQueuePrefix ?? ''),
        args: [{ sweep: request.name, ...request }],
      },
    });
  } catch (error) {
    if (/cron|spec/i.test((error as Error).message)) throw new ConfigError(`cron: ${(error as Error).message}`);
    throw unavailable('create the schedule', error);
  }
  const row = await deps.db.schedule.create({ data: { name: request.name, scheduleId, spec: request as object } });
  return viewOf(row, []);
}

async function requireRow(deps: SweepDeps, id: string): Promise<ScheduleRow> {
  const row = await deps.db.schedule.findUnique({ where: { id } });
  if (!row) throw new LabError('NOT_FOUND', `sweep ${id} not found`);
  return row;
}

/** Pauses or unpauses the schedule and records it. */
export async function setSweepPaused(deps: SweepDeps, id: string, isPaused: boolean): Promise<void> {
  const row = await requireRow(deps, id);
  const handle = (await deps.temporal()).schedule.getHandle(row.scheduleId);
  try {
    if (isPaused) await handle.pause('paused from the web UI');
    else await handle.unpause('resumed from the web UI');
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw unavailable('update the schedule', error);
  }
  await deps.db.schedule.update({ where: { id }, data: { paused: isPaused } });
}

/** Deletes the schedule and its row; its past results stay (their scheduleId is cleared). */
export async function deleteSweep(deps: SweepDeps, id: string): Promise<void> {
  const row = await requireRow(deps, id);
  try {
    await (await deps.temporal()).schedule.getHandle(row.scheduleId).delete();
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw unavailable('delete the schedule', error);
  }
  await deps.db.schedule.delete({ where: { id } });
}
