import type { PrismaClient } from '../../prisma/generated/client.ts';
import { ConfigError } from '../../lib/errors.ts';
import { getRecipe } from '../../lib/recipes/index.ts';
import { buildRunPlan } from '../../lib/stages/plan.ts';
import type { StagePlan } from '../../lib/stages/types.ts';
import { buildStageViews, type StageView } from './stage-view.ts';
import { formatDuration, progressBar, renderTable } from './table.ts';

/** Everything `show` prints about a run. */
export interface RunShow {
  id: string;
  status: string;
  recipe: string;
  experiment: string;
  configHash: string;
  resumedFromId: string | null;
  force: boolean;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  stages: StageView[];
}

function planOf(recipe: string, config: unknown, rowStages: string[]): StagePlan[] {
  try {
    const definition = getRecipe(recipe);
    return buildRunPlan(definition, definition.configSchema.parse(config)).stages;
  } catch {
    // The recipe changed since the run: fall back to the stages that have rows.
    return [...new Set(rowStages)].map((name) => ({
      name,
      version: '?',
      impl: name,
      queue: 'cpu',
      inputs: [],
      slice: null,
      shardCount: 0,
      timeouts: { startToCloseMs: 0, heartbeatMs: 0 },
      retry: {
        maximumAttempts: 0,
        initialIntervalMs: 0,
        backoffCoefficient: 0,
        maximumIntervalMs: 0,
      },
    }));
  }
}

/** Loads a run with its stage table; an unknown id is a ConfigError. */
export async function loadRunShow(db: PrismaClient, runId: string): Promise<RunShow> {
  const run = await db.run.findUnique({
    where: { id: runId },
    include: { experiment: true, stageRuns: true },
  });
  if (!run) throw new ConfigError(`run ${runId} does not exist (see \`rag-r1 ls\`)`);
  const plan = planOf(
    run.experiment.recipe,
    run.experiment.config,
    run.stageRuns.map((row) => row.stage),
  );
  return {
    id: run.id,
    status: run.status,
    recipe: run.experiment.recipe,
    experiment: run.experiment.name,
    configHash: run.experiment.configHash,
    resumedFromId: run.resumedFromId,
    force: run.force,
    error: run.error,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    stages: buildStageViews(plan, run.stageRuns),
  };
}

/** The human-readable `show` output. */
export function renderRunShow(show: RunShow): string {
  const elapsed = show.startedAt
    ? (show.finishedAt ?? new Date()).getTime() - show.startedAt.getTime()
    : null;
  const header = [
    `run ${show.id}  ${show.status}${elapsed !== null ? `  ${formatDuration(elapsed)}` : ''}`,
    `experiment ${show.experiment} (${show.recipe}, config ${show.configHash.slice(0, 12)})` +
      (show.resumedFromId ? `  resumes ${show.resumedFromId}` : '') +
      (show.force ? '  forced' : ''),
  ];
  if (show.error) header.push(`error: ${show.error}`);
  const rows = [
    ['STAGE', 'QUEUE', 'STATUS', 'ATT', 'SHARDS', 'PROGRESS', 'TIME', 'WORKER', 'ERROR'],
  ];
  for (const view of show.stages) {
    rows.push([
      view.stage,
      view.queue,
      view.status,
      view.attempts ? String(view.attempts) : '',
      view.shards,
      view.status === 'PENDING' ? '' : progressBar(view.done, view.total),
      formatDuration(view.durationMs),
      view.worker,
      view.error.length > 80 ? `${view.error.slice(0, 77)}...` : view.error,
    ]);
  }
  return `${header.join('\n')}\n\n${renderTable(rows)}`;
}
