import { randomBytes } from 'node:crypto';
import { createWorkerDeps, createWorkers, type WorkerGroup } from '../../../workers/start-worker.ts';
import { createTestDatabase, type TestDatabase } from '../../../infra/db/test-database.ts';
import { ArtifactStore } from '../../../infra/s3/artifact-store.ts';
import { loadEnv, type Env } from '../../../lib/env.ts';
import { startWebServer, type WebServer } from '../../../web/server/main.ts';
import { createServices } from '../../../web/server/services.ts';

/**
 * The whole product for one e2e file, on the local stack (`npm run stack -- up`): a fresh
 * migrated database, a control+cpu worker on task queues with a unique prefix (so a developer's
 * own worker never picks the runs up), and the web server with a random token.
 */
export type Platform = {
  env: Env;
  token: string;
  web: WebServer;
  database: TestDatabase;
  store: ArtifactStore;
  taskQueuePrefix: string;
  stop(): Promise<void>;
};

export async function startPlatform(): Promise<Platform> {
  const database = await createTestDatabase();
  const token = randomBytes(16).toString('hex');
  const env = loadEnv({ ...process.env, DATABASE_URL: database.url, RAG_R1_API_TOKEN: token });
  const taskQueuePrefix = `e2e-${randomBytes(3).toString('hex')}-`;
  const deps = await createWorkerDeps(env);
  const workers: WorkerGroup = await createWorkers({
    queues: ['control', 'cpu'],
    taskQueuePrefix,
    cpuConcurrency: 2,
    deps,
    env,
  });
  const running = workers.run();
  const services = createServices(env, { taskQueuePrefix });
  const web = await startWebServer({ port: 0, env, deps: { services, pollIntervalMs: 500 } });
  const store = ArtifactStore.fromEnv(env, database.db);
  return {
    env,
    token,
    web,
    database,
    store,
    taskQueuePrefix,
    async stop() {
      // Temporal schedules outlive the test database: remove the ones this run created.
      for (const sweep of await services.listSweeps().catch(() => [])) {
        await services.deleteSweep(sweep.id).catch(() => undefined);
      }
      await web.close();
      await services.close();
      workers.shutdown();
      await running.catch(() => undefined);
      await deps.db.$disconnect();
      await database.drop();
    },
  };
}
