import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadEnv } from '../../lib/env.ts';
import { ServiceUnavailableError, UpstreamHttpError } from '../../lib/errors.ts';
import { MlflowClient } from './client.ts';

const mlflow = MlflowClient.fromEnv(loadEnv());
const EXPERIMENT = `raglab-int-${randomBytes(4).toString('hex')}`;

describe('MlflowClient against the tracking server', () => {
  it('creates an experiment once and returns the same id after', async () => {
    const [first, second] = await Promise.all([
      mlflow.getOrCreateExperiment(EXPERIMENT),
      mlflow.getOrCreateExperiment(EXPERIMENT),
    ]);
    expect(first).toMatch(/^\d+$/);
    expect(second).toBe(first);
    expect(await mlflow.getOrCreateExperiment(EXPERIMENT)).toBe(first);
  });

  it('logs params and stepped metrics past the batch limit and reads them back', async () => {
    const experimentId = await mlflow.getOrCreateExperiment(EXPERIMENT);
    const run = await mlflow.createRun(experimentId, 'ppo-tiny', { lab_run_id: 'run-42' });
    expect(run.info.status).toBe('RUNNING');
    const runId = run.info.run_id;

    await mlflow.logParams(runId, { lr: 1e-6, kl_coef: 0.001, preset: 'tiny', use_mq: true });
    const steps = Array.from({ length: 1200 }, (_, step) => step);
    await mlflow.logMetrics(runId, [
      ...steps.map((step) => ({ key: 'reward', value: step / 1000, step })),
      { key: 'loss', value: Number.NaN, step: 0 },
    ]);
    await mlflow.setTerminated(runId, 'FINISHED');

    const read = await mlflow.getRun(runId);
    expect(read.info.status).toBe('FINISHED');
    expect(Object.fromEntries(read.data.params.map((p) => [p.key, p.value]))).toEqual({
      lr: '0.000001',
      kl_coef: '0.001',
      preset: 'tiny',
      use_mq: 'true',
    });
    expect(read.data.tags).toContainEqual({ key: 'lab_run_id', value: 'run-42' });
    const latest = read.data.metrics.find((metric) => metric.key === 'reward');
    expect(latest).toMatchObject({ value: 1.199, step: 1199 });

    const history = await mlflow.getMetricHistory(runId, 'reward');
    expect(history).toHaveLength(1200);
    expect(history.map((point) => point.step).sort((a, b) => a - b)).toEqual(steps);
    expect((await mlflow.getMetricHistory(runId, 'loss'))[0]?.value).toBeNaN();

    const found = await mlflow.searchRuns([experimentId], "tags.lab_run_id = 'run-42'");
    expect(found.map((r) => r.info.run_id)).toEqual([runId]);
  });

  it('fails a bad request at once with the HTTP status', async () => {
    const attempt = mlflow.getRun('no-such-run-id');
    await expect(attempt).rejects.toBeInstanceOf(UpstreamHttpError);
    await expect(mlflow.getRun('no-such-run-id')).rejects.toMatchObject({ status: 404 });
  });

  it('names MLFLOW_TRACKING_URI when nothing listens there', async () => {
    const offline = new MlflowClient({
      trackingUri: 'http://127.0.0.1:1',
      retry: { attempts: 2, baseDelayMs: 1 },
    });
    const attempt = offline.getOrCreateExperiment('x');
    await expect(attempt).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(offline.getRun('x')).rejects.toThrow(
      /MLFLOW_TRACKING_URI=http:\/\/127\.0\.0\.1:1/,
    );
  });
});
