import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadEnv } from '../../lib/env.ts';
import { useTempDirs } from '../../tests/support/temp-dirs.ts';
import { stackDown, stackStatus, stackUp } from './manager.ts';
import { resolveStackPaths } from './paths.ts';
import { spawnDetached } from './process.ts';
import type { ServiceName, StackContext, StackService } from './service.ts';

/** A stand-in service: a `sleep` process, healthy as soon as it runs. */
function fakeService(name: ServiceName, port: number, dependsOn: ServiceName[] = []) {
  const calls = { installs: 0, starts: 0 };
  const service: StackService = {
    name,
    dependsOn,
    portVariables: 'FAKE_URL',
    stopSignal: 'SIGTERM',
    startTimeoutMs: 5_000,
    endpoints: () => [{ host: '127.0.0.1', port }],
    urls: () => ({ url: `http://127.0.0.1:${port}` }),
    isInstalled: () => calls.installs > 0,
    install: async () => {
      calls.installs += 1;
    },
    start: async (context) => {
      calls.starts += 1;
      return spawnDetached({
        service: name,
        command: 'sleep',
        args: [`${600 + (port % 100)}`],
        logsDir: context.paths.logs,
        commandMarker: `sleep ${600 + (port % 100)}`,
      });
    },
    isHealthy: async () => true,
  };
  return { service, calls };
}

const tempDir = useTempDirs();

function context(): StackContext {
  const root = tempDir('stack-manager-');
  return { env: loadEnv({}), paths: resolveStackPaths(root), log: () => undefined };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('stack manager', () => {
  let blocker: Server | undefined;
  afterEach(() => {
    blocker?.close();
    blocker = undefined;
  });

  it('installs once, starts once, and a second up is harmless', async () => {
    const ctx = context();
    const db = fakeService('postgres', await freePort());
    const app = fakeService('mlflow', await freePort(), ['postgres']);
    const services = [db.service, app.service];
    const first = await stackUp(ctx, services);
    expect(first.map((report) => [report.state, report.action])).toEqual([
      ['healthy', 'started'],
      ['healthy', 'started'],
    ]);
    const second = await stackUp(ctx, services);
    expect(second.map((report) => report.action)).toEqual(['already-running', 'already-running']);
    expect(second.map((report) => report.pid)).toEqual(first.map((report) => report.pid));
    expect(db.calls).toEqual({ installs: 1, starts: 1 });
    const down = await stackDown(ctx, services);
    expect(down.map((report) => report.action)).toEqual(['stopped', 'stopped']);
    expect((await stackStatus(ctx, services)).map((report) => report.state)).toEqual([
      'stopped',
      'stopped',
    ]);
  });

  it('refuses a port held by someone else with one line saying what to do', async () => {
    const ctx = context();
    const port = await freePort();
    blocker = createServer();
    await new Promise<void>((done) => blocker!.listen(port, '127.0.0.1', done));
    const minio = fakeService('minio', port);
    await expect(stackUp(ctx, [minio.service])).rejects.toThrow(
      `minio: port 127.0.0.1:${port} is in use by a process this stack did not start`,
    );
    expect(minio.calls.starts).toBe(0);
    expect(minio.calls.installs).toBe(0);
  });

  it('reports a service that dies during start and cleans its pid file', async () => {
    const ctx = context();
    const broken = fakeService('temporal', await freePort());
    // a crashing server never answers its health probe
    broken.service.isHealthy = async () => false;
    broken.service.start = async (c) =>
      spawnDetached({ service: 'temporal', command: 'false', args: [], logsDir: c.paths.logs });
    await expect(stackUp(ctx, [broken.service])).rejects.toThrow(
      /temporal: exited during start; read .*temporal\.log/,
    );
    expect((await stackStatus(ctx, [broken.service]))[0]?.state).toBe('stopped');
  });
});

describe('stack lock', () => {
  it('serializes two concurrent ups so each service starts once', async () => {
    const ctx = context();
    const db = fakeService('postgres', await freePort());
    const [first, second] = await Promise.all([
      stackUp(ctx, [db.service]),
      stackUp(ctx, [db.service]),
    ]);
    expect(db.calls.starts).toBe(1);
    expect(first[0]?.pid).toBe(second[0]?.pid);
    await stackDown(ctx, [db.service]);
  });
});

describe('unhealthy running service', () => {
  it('is reported but left running by a second up', async () => {
    const ctx = context();
    const db = fakeService('postgres', await freePort());
    db.service.startTimeoutMs = 300;
    const [first] = await stackUp(ctx, [db.service]);
    db.service.isHealthy = async () => false;
    await expect(stackUp(ctx, [db.service])).rejects.toThrow(
      `postgres: not healthy after 0.3s (pid ${first?.pid} left running)`,
    );
    expect((await stackStatus(ctx, [db.service]))[0]).toMatchObject({
      state: 'unhealthy',
      pid: first?.pid,
    });
    await stackDown(ctx, [db.service]);
  });
});
