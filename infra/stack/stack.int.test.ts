import { describe, expect, it } from 'vitest';
import { loadEnv } from '../../lib/env.ts';
import { stackStatus, stackUp } from './manager.ts';
import { resolveStackPaths } from './paths.ts';
import type { StackContext } from './service.ts';

// Runs against the real stack under RAG_R1_DATA_DIR; it brings the stack up when it is down
// and leaves it running, since every other integration test needs it.
const env = loadEnv();
const context: StackContext = {
  env,
  paths: resolveStackPaths(env.RAG_R1_DATA_DIR),
  log: () => undefined,
};

describe('local stack', () => {
  it('reports all four services healthy once up, and a second up changes nothing', async () => {
    const first = await stackUp(context);
    const status = await stackStatus(context);
    expect(status.map((report) => [report.name, report.state])).toEqual([
      ['postgres', 'healthy'],
      ['minio', 'healthy'],
      ['temporal', 'healthy'],
      ['mlflow', 'healthy'],
    ]);
    expect(status.every((report) => typeof report.pid === 'number')).toBe(true);

    const second = await stackUp(context);
    expect(second.map((report) => report.action)).toEqual([
      'already-running',
      'already-running',
      'already-running',
      'already-running',
    ]);
    expect(second.map((report) => report.pid)).toEqual(first.map((report) => report.pid));
  });

  it('serves what the services promise: databases, bucket, MLflow API', async () => {
    const pg = await import('pg');
    const client = new pg.default.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    const names = await client.query<{ datname: string }>('select datname from pg_database');
    await client.end();
    expect(names.rows.map((row) => row.datname)).toEqual(
      expect.arrayContaining(['raglab', 'mlflow']),
    );

    const { S3Client, HeadBucketCommand } = await import('@aws-sdk/client-s3');
    const s3 = new S3Client({
      endpoint: env.S3_ENDPOINT,
      region: env.S3_REGION,
      forcePathStyle: env.S3_FORCE_PATH_STYLE,
      credentials: { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY },
    });
    const head = await s3.send(new HeadBucketCommand({ Bucket: env.S3_BUCKET }));
    s3.destroy();
    expect(head.$metadata.httpStatusCode).toBe(200);

    const search = await fetch(
      new URL('/api/2.0/mlflow/experiments/search', env.MLFLOW_TRACKING_URI),
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ max_results: 1 }),
      },
    );
    expect(search.status).toBe(200);
  });
});
