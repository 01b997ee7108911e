import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMlflowMirror } from '../../activities/framework/mlflow-mirror.ts';
import { MlflowClient } from '../../infra/mlflow/client.ts';
import { createHarness, type Harness } from './harness.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await createHarness('mlflow');
});
afterAll(async () => {
  await harness?.close();
});

describe('MLflow metric mirror', () => {
  it('logs stage metrics into one MLflow run per platform run, remembered on the Run row', async () => {
    const db = harness.database.db;
    const experiment = await db.experiment.create({
      data: {
        name: 'mirror',
        recipe: 'files-demo',
        configHash: `mirror-${harness.prefix}`,
        config: {},
      },
    });
    const run = await db.run.create({
      data: {
        id: `mirror-${harness.prefix}`,
        experimentId: experiment.id,
        workflowId: `wf-${harness.prefix}`,
      },
    });
    const mlflow = MlflowClient.fromEnv(harness.env);
    const mirror = createMlflowMirror(mlflow, db);
    await mirror.logMetric({
      runId: run.id,
      stage: 'wordcount',
      key: 'distinct_words',
      value: 32,
      step: 0,
    });
    await mirror.logMetric({
      runId: run.id,
      stage: 'wordcount',
      key: 'distinct_words',
      value: 33,
      step: 1,
    });
    const stored = await db.run.findUniqueOrThrow({ where: { id: run.id } });
    expect(stored.mlflowRunId).toMatch(/^[0-9a-f]{32}$/);
    const history = await mlflow.getMetricHistory(stored.mlflowRunId!, 'wordcount.distinct_words');
    await mirror.finishRun?.({ runId: run.id, status: 'COMPLETED' });
    expect((await mlflow.getRun(stored.mlflowRunId!)).info.status).toBe('FINISHED');
    expect(history.map((point) => [point.step, point.value])).toEqual([
      [0, 32],
      [1, 33],
    ]);
  });
});
