import { ServiceUnavailableError } from '../../lib/errors.ts';
import { relative } from 'node:path';
import { minioService } from './minio.ts';
import { mlflowService } from './mlflow.ts';
import {
  isRecordAlive,
  readPidRecord,
  removePidRecord,
  writePidRecord,
  type PidRecord,
} from './pid-file.ts';
import { withStackLock } from './lock.ts';
import { isPortInUse } from './ports.ts';
import { postgresService } from './postgres.ts';
import { logFilePath, stopRecord, waitUntil } from './process.ts';
import type { ServiceName, StackContext, StackService } from './service.ts';
import { temporalService } from './temporal.ts';

/** The four local services, in dependency order. */
export const STACK_SERVICES: readonly StackService[] = [
  postgresService,
  minioService,
  temporalService,
  mlflowService,
];

/** What `status` reports per service. */
export type ServiceState = 'healthy' | 'unhealthy' | 'stopped';

/** One service's line in `up` / `status` / `down` output. */
export interface ServiceReport {
  name: ServiceName;
  state: ServiceState;
  pid: number | undefined;
  urls: Record<string, string>;
  /** What `up`/`down` did: started, already running, installed+started, stopped. */
  action?: 'started' | 'already-running' | 'stopped' | 'not-running';
  seconds?: number;
}

async function probe(service: StackService, context: StackContext): Promise<boolean> {
  return service.isHealthy(context).catch(() => false);
}

/** Current state of one service, judged only by processes this stack started. */
export async function inspectService(
  service: StackService,
  context: StackContext,
): Promise<ServiceReport> {
  const record = readPidRecord(context.paths.run, service.name);
  const isAlive = record !== undefined && isRecordAlive(record);
  const state: ServiceState = !isAlive
    ? 'stopped'
    : (await probe(service, context))
      ? 'healthy'
      : 'unhealthy';
  return {
    name: service.name,
    state,
    pid: isAlive ? record.pid : undefined,
    urls: service.urls(context),
  };
}

/** `status`: every service's state, pid and URLs. */
export async function stackStatus(
  context: StackContext,
  services: readonly StackService[] = STACK_SERVICES,
): Promise<ServiceReport[]> {
  return Promise.all(services.map((service) => inspectService(service, context)));
}

function logHint(context: StackContext, service: ServiceName): string {
  return relative(process.cwd(), logFilePath(context.paths.logs, service)) || service;
}

async function assertPortsFree(service: StackService, context: StackContext): Promise<void> {
  for (const endpoint of service.endpoints(context)) {
    if (await isPortInUse(endpoint)) {
      throw new ServiceUnavailableError(
        `${service.name}: port ${endpoint.host}:${endpoint.port} is in use by a process this ` +
          `stack did not start; stop it (\`ss -ltnp | grep :${endpoint.port}\`) or set ` +
          `${service.portVariables} to a free port`,
      );
    }
  }
}

/**
 * Waits for a service's health. A process this call just started is stopped again when it
 * dies or never gets healthy; one that already ran is left alone (others may be using it,
 * and a loaded machine can make a healthy server slow to answer).
 */
async function waitHealthy(
  service: StackService,
  context: StackContext,
  record: PidRecord,
  isFreshStart: boolean,
): Promise<void> {
  let hasExited = false;
  const isHealthy = await waitUntil(async () => {
    if (!isRecordAlive(record)) {
      hasExited = true;
      return true;
    }
    return probe(service, context);
  }, service.startTimeoutMs);
  if (!hasExited && isHealthy) return;
  if (isFreshStart || hasExited) {
    await stopRecord(record, service.stopSignal);
    removePidRecord(context.paths.run, service.name);
  }
  const why = hasExited
    ? `exited ${isFreshStart ? 'during start' : 'while waiting for health'}`
    : `not healthy after ${service.startTimeoutMs / 1000}s` +
      (isFreshStart ? '' : ` (pid ${record.pid} left running)`);
  throw new ServiceUnavailableError(
    `${service.name}: ${why}; read ${logHint(context, service.name)} and run \`rag-r1 stack up\` again`,
  );
}

/** Installs a service's pinned binaries when missing (used by `up` and `install`). */
export async function ensureInstalled(service: StackService, context: StackContext): Promise<void> {
  if (service.isInstalled(context)) return;
  const started = Date.now();
  context.log(`${service.name}: installing`);
  await service.install(context);
  context.log(`${service.name}: installed in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

/** Brings one installed service up (start, wait, bootstrap) unless it already runs. */
export async function ensureRunning(
  service: StackService,
  context: StackContext,
): Promise<ServiceReport> {
  const started = Date.now();
  const existing = readPidRecord(context.paths.run, service.name);
  let action: ServiceReport['action'] = 'already-running';
  if (existing && isRecordAlive(existing)) {
    await waitHealthy(service, context, existing, false);
  } else {
    if (existing) removePidRecord(context.paths.run, service.name);
    await assertPortsFree(service, context);
    const record = await service.start(context);
    writePidRecord(context.paths.run, record);
    await waitHealthy(service, context, record, true);
    action = 'started';
  }
  await service.bootstrap?.(context);
  const report = await inspectService(service, context);
  return { ...report, action, seconds: (Date.now() - started) / 1000 };
}

/**
 * `up`: starts every service not already running, each after its dependencies are healthy;
 * independent services install and start concurrently.
 */
export function stackUp(
  context: StackContext,
  services: readonly StackService[] = STACK_SERVICES,
): Promise<ServiceReport[]> {
  return withStackLock(context.paths.run, () => startAll(context, services));
}

async function startAll(
  context: StackContext,
  services: readonly StackService[] = STACK_SERVICES,
): Promise<ServiceReport[]> {
  await failOnForeignPorts(context, services);
  const pending = new Map<ServiceName, Promise<ServiceReport>>();
  for (const service of services) {
    // installs overlap (pip downloads while Go compiles); starts wait for their dependencies
    const installed = ensureInstalled(service, context);
    const dependencies = service.dependsOn.map((name) => pending.get(name));
    pending.set(
      service.name,
      Promise.all([installed, ...dependencies]).then(() => ensureRunning(service, context)),
    );
  }
  const settled = await Promise.allSettled(pending.values());
  const reasons = settled.flatMap((result) =>
    result.status === 'rejected' ? [errorLine(result.reason)] : [],
  );
  if (reasons.length > 0) throw new ServiceUnavailableError([...new Set(reasons)].join('\n'));
  return settled.map((result) => (result as PromiseFulfilledResult<ServiceReport>).value);
}

/** Checks every stopped service's ports before any install, so a conflict fails in seconds. */
async function failOnForeignPorts(
  context: StackContext,
  services: readonly StackService[],
): Promise<void> {
  const checks = services.map(async (service) => {
    const record = readPidRecord(context.paths.run, service.name);
    if (!record || !isRecordAlive(record)) await assertPortsFree(service, context);
  });
  const reasons = (await Promise.allSettled(checks)).flatMap((result) =>
    result.status === 'rejected' ? [errorLine(result.reason)] : [],
  );
  if (reasons.length > 0) throw new ServiceUnavailableError(reasons.join('\n'));
}

function errorLine(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}

/** `install`: installs every missing service binary without starting anything. */
export async function stackInstall(
  context: StackContext,
  services: readonly StackService[] = STACK_SERVICES,
): Promise<void> {
  await Promise.all(services.map((service) => ensureInstalled(service, context)));
}

/** `down`: stops exactly the processes recorded in .data/run, dependents first. */
export function stackDown(
  context: StackContext,
  services: readonly StackService[] = STACK_SERVICES,
): Promise<ServiceReport[]> {
  return withStackLock(context.paths.run, () => stopAll(context, services));
}

async function stopAll(
  context: StackContext,
  services: readonly StackService[] = STACK_SERVICES,
): Promise<ServiceReport[]> {
  const reports: ServiceReport[] = [];
  for (const service of [...services].reverse()) {
    const started = Date.now();
    const record = readPidRecord(context.paths.run, service.name);
    const isAlive = record !== undefined && isRecordAlive(record);
    if (record && isAlive) await stopRecord(record, service.stopSignal);
    removePidRecord(context.paths.run, service.name);
    reports.unshift({
      name: service.name,
      state: 'stopped',
      pid: isAlive ? record.pid : undefined,
      urls: service.urls(context),
      action: isAlive ? 'stopped' : 'not-running',
      seconds: (Date.now() - started) / 1000,
    });
  }
  return reports;
}
