import { ScheduleNotFoundError, type Client, type ScheduleOverlapPolicy } from '@temporalio/client';
import type { PrismaClient } from '../db/client.ts';
import { ConfigError, LabError } from '../../lib/errors.ts';
import {
  SweepSpecSchema,
  type SweepOverlapPolicy,
  type SweepSpec,
  type SweepSpecInput,
  type SweepWorkflowInput,
} from '../../lib/eval/sweep-spec.ts';
import { taskQueueName } from '../../lib/stages/queue-defaults.ts';

/** The workflow each scheduled execution starts. */
export const SWEEP_WORKFLOW = 'evalSweepWorkflow';

export interface SweepDeps {
  db: PrismaClient;
  client: Client;
  taskQueuePrefix?: string;
}

/** A sweep as `ls` shows it: registry row, Temporal schedule state, results so far. */
export interface SweepInfo {
  id: string;
  name: string;
  scheduleId: string;
  spec: SweepSpec;
  paused: boolean;
  executions: number;
  running: number;
  nextRuns: string[];
  evalResults: number;
  lastResultAt: string | null;
}

const OVERLAP: Record<SweepOverlapPolicy, ScheduleOverlapPolicy> = {
  skip: 'SKIP',
  'buffer-one': 'BUFFER_ONE',
  'buffer-all': 'BUFFER_ALL',
  'cancel-other': 'CANCEL_OTHER',
  'terminate-other': 'TERMINATE_OTHER',
  'allow-all': 'ALLOW_ALL',
};

function unavailable(action: string, error: unknown): LabError {
  return new LabError(
    'SERVICE_UNAVAILABLE',
    `Temporal: could not ${action} (${(error as Error).message})`,
    { cause: error },
  );
}

function parseSpec(input: SweepSpecInput): SweepSpec {
  const parsed = SweepSpecSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`sweep ${issue?.path.join('.') || 'spec'}: ${issue?.message}`);
  }
  return parsed.data;
}

/**
 * Creates the Temporal Schedule (cron or interval, explicit overlap policy) and then its
 * Schedule row; if the row cannot be written the schedule is deleted again.
 */
export async function createSweep(deps: SweepDeps, input: SweepSpecInput): Promise<SweepInfo> {
  const spec = parseSpec(input);
  if (await deps.db.schedule.findUnique({ where: { name: spec.name } })) {
    throw new ConfigError(`name: a sweep named "${spec.name}" already exists`);
  }
  const scheduleId = `${deps.taskQueuePrefix ?? ''}sweep-${spec.name}`;
  const args: SweepWorkflowInput = {
    sweep: spec.name,
    spec,
    ...(deps.taskQueuePrefix ? { taskQueuePrefix: deps.taskQueuePrefix } : {}),
  };
  try {
    await deps.client.schedule.create({
      scheduleId,
      spec: spec.cron
        ? { cronExpressions: [spec.cron] }
        : { intervals: [{ every: `${spec.intervalSeconds}s` }] },
      policies: { overlap: OVERLAP[spec.overlap], catchupWindow: '1 minute' },
      action: {
        type: 'startWorkflow',
        workflowType: SWEEP_WORKFLOW,
        workflowId: `sweep-${spec.name}`,
        taskQueue: taskQueueName('control', deps.taskQueuePrefix ?? ''),
        args: [args],
      },
    });
  } catch (error) {
    if (/cron|spec|interval/i.test((error as Error).message))
      throw new ConfigError(`cron: ${(error as Error).message}`);
    throw unavailable('create the schedule', error);
  }
  try {
    await deps.db.schedule.create({ data: { name: spec.name, scheduleId, spec: spec as object } });
  } catch (error) {
    await deps.client.schedule
      .getHandle(scheduleId)
      .delete()
      .catch(() => undefined);
    throw error;
  }
  return getSweep(deps, spec.name);
}

async function requireRow(deps: SweepDeps, nameOrId: string) {
  const row = await deps.db.schedule.findFirst({
    where: { OR: [{ name: nameOrId }, { id: nameOrId }] },
  });
  if (!row) throw new LabError('NOT_FOUND', `sweep ${nameOrId} not found`);
  return row;
}

/** One sweep with its schedule state; a schedule missing in Temporal shows as paused, 0 runs. */
export async function getSweep(deps: SweepDeps, nameOrId: string): Promise<SweepInfo> {
  const row = await requireRow(deps, nameOrId);
  let state = { paused: row.paused, executions: 0, running: 0, nextRuns: [] as string[] };
  try {
    const described = await deps.client.schedule.getHandle(row.scheduleId).describe();
    state = {
      paused: described.state.paused,
      executions: described.info.numActionsTaken,
      running: described.info.runningActions.length,
      nextRuns: described.info.nextActionTimes.slice(0, 3).map((time) => time.toISOString()),
    };
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError))
      throw unavailable('describe the schedule', error);
  }
  const results = await deps.db.evalResult.aggregate({
    where: { scheduleId: row.id },
    _count: true,
    _max: { createdAt: true },
  });
  return {
    id: row.id,
    name: row.name,
    scheduleId: row.scheduleId,
    spec: SweepSpecSchema.parse(row.spec),
    ...state,
    evalResults: results._count,
    lastResultAt: results._max.createdAt?.toISOString() ?? null,
  };
}

/** Every sweep, newest first. */
export async function listSweeps(deps: SweepDeps): Promise<SweepInfo[]> {
  const rows = await deps.db.schedule.findMany({
    orderBy: { createdAt: 'desc' },
    select: { name: true },
  });
  return Promise.all(rows.map((row) => getSweep(deps, row.name)));
}

/** Pauses or unpauses the schedule, and records it on the row. */
export async function setSweepPaused(
  deps: SweepDeps,
  nameOrId: string,
  isPaused: boolean,
): Promise<void> {
  const row = await requireRow(deps, nameOrId);
  const handle = deps.client.schedule.getHandle(row.scheduleId);
  try {
    if (isPaused) await handle.pause('paused by rag-r1');
    else await handle.unpause('unpaused by rag-r1');
  } catch (error) {
    throw unavailable(isPaused ? 'pause the schedule' : 'unpause the schedule', error);
  }
  await deps.db.schedule.update({ where: { id: row.id }, data: { paused: isPaused } });
}

/** Starts one execution now; `overlap` overrides the sweep's policy for this trigger only. */
export async function triggerSweep(
  deps: SweepDeps,
  nameOrId: string,
  overlap?: SweepOverlapPolicy,
): Promise<void> {
  const row = await requireRow(deps, nameOrId);
  try {
    await deps.client.schedule
      .getHandle(row.scheduleId)
      .trigger(overlap ? OVERLAP[overlap] : undefined);
  } catch (error) {
    throw unavailable('trigger the schedule', error);
  }
}

/** Deletes the schedule and its row; past results stay, with their scheduleId cleared. */
export async function deleteSweep(deps: SweepDeps, nameOrId: string): Promise<void> {
  const row = await requireRow(deps, nameOrId);
  try {
    await deps.client.schedule.getHandle(row.scheduleId).delete();
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw unavailable('delete the schedule', error);
  }
  await deps.db.schedule.delete({ where: { id: row.id } });
}

/** A sweep's results (latest first), for `sweep ls --results` and the web UI. */
export async function sweepResults(deps: Pick<SweepDeps, 'db'>, nameOrId: string, take = 100) {
  const row = await deps.db.schedule.findFirst({
    where: { OR: [{ name: nameOrId }, { id: nameOrId }] },
  });
  if (!row) throw new LabError('NOT_FOUND', `sweep ${nameOrId} not found`);
  return deps.db.evalResult.findMany({
    where: { scheduleId: row.id },
    orderBy: { createdAt: 'desc' },
    take,
    select: {
      id: true,
      runId: true,
      checkpoint: true,
      dataset: true,
      method: true,
      n: true,
      em: true,
      f1: true,
      meanSeconds: true,
      meanRetrievals: true,
      stampHash: true,
      createdAt: true,
    },
  });
}
