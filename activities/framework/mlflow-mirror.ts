import type { PrismaClient } from '../../prisma/generated/client.ts';
import type { MetricMirror } from './types.ts';

/** The part of infra/mlflow/client.ts the mirror uses. */
export interface MlflowLike {
  getOrCreateExperiment(name: string): Promise<string>;
  createRun(
    experimentId: string,
    runName: string,
    tags?: Record<string, string>,
  ): Promise<{ info: { run_id: string } }>;
  setTerminated(runId: string, status: 'FINISHED' | 'FAILED' | 'KILLED'): Promise<void>;
  logMetrics(
    runId: string,
    metrics: ReadonlyArray<{ key: string; value: number; step?: number }>,
  ): Promise<void>;
}

/**
 * Mirrors stage metrics to MLflow: one MLflow run per platform run (created on first use and
 * remembered in Run.mlflowRunId), one MLflow experiment per recipe, keys `<stage>.<key>`.
 */
export function createMlflowMirror(mlflow: MlflowLike, db: PrismaClient): MetricMirror {
  const runs = new Map<string, Promise<string>>();
  const mlflowRunFor = async (runId: string): Promise<string> => {
    const run = await db.run.findUniqueOrThrow({
      where: { id: runId },
      include: { experiment: true },
    });
    if (run.mlflowRunId) return run.mlflowRunId;
    const experimentId = await mlflow.getOrCreateExperiment(`rag-r1/${run.experiment.recipe}`);
    const created = await mlflow.createRun(experimentId, runId, {
      'raglab.runId': runId,
      'raglab.configHash': run.experiment.configHash,
    });
    // Two workers may race to create it: the first recorded id wins, the other run is unused.
    await db.run.updateMany({
      where: { id: runId, mlflowRunId: null },
      data: { mlflowRunId: created.info.run_id },
    });
    const stored = await db.run.findUniqueOrThrow({
      where: { id: runId },
      select: { mlflowRunId: true },
    });
    return stored.mlflowRunId ?? created.info.run_id;
  };
  const TERMINAL = { COMPLETED: 'FINISHED', FAILED: 'FAILED', CANCELLED: 'KILLED' } as const;
  return {
    async finishRun({ runId, status }) {
      const run = await db.run.findUnique({ where: { id: runId }, select: { mlflowRunId: true } });
      if (run?.mlflowRunId) await mlflow.setTerminated(run.mlflowRunId, TERMINAL[status]);
      runs.delete(runId);
    },
    async logMetric({ runId, stage, key, value, step }) {
      let pending = runs.get(runId);
      if (!pending) {
        pending = mlflowRunFor(runId);
        runs.set(runId, pending);
        pending.catch(() => runs.delete(runId));
      }
      await mlflow.logMetrics(await pending, [{ key: `${stage}.${key}`, value, step }]);
    },
  };
}
