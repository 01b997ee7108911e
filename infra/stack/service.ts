import type { Env } from '../../lib/env.ts';
import type { StackPaths } from './paths.ts';
import type { Endpoint } from './ports.ts';
import type { PidRecord } from './pid-file.ts';

/** Everything a service module needs: parsed env, data folders, a line printer. */
export interface StackContext {
  env: Env;
  paths: StackPaths;
  log: (line: string) => void;
}

/**
 * How long one health probe may take. Generous: on a loaded 2-core dev machine a healthy
 * server can take seconds to accept a connection, and a false "unhealthy" misleads.
 */
export const PROBE_TIMEOUT_MS = 5_000;

/** The names of the local services, in start order. */
export const SERVICE_NAMES = ['postgres', 'minio', 'temporal', 'mlflow'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** One local service: how to install, start, probe and stop it. */
export interface StackService {
  name: ServiceName;
  /** Services that must be healthy before this one starts. */
  dependsOn: readonly ServiceName[];
  /** The lib/env.ts variables that choose its ports, named in port-conflict errors. */
  portVariables: string;
  /** Every endpoint the service binds; each is checked for a foreign listener before start. */
  endpoints(context: StackContext): Endpoint[];
  /** Labelled URLs printed by `up` and `status`. */
  urls(context: StackContext): Record<string, string>;
  /** True when the pinned binaries are in place (no network). */
  isInstalled(context: StackContext): boolean;
  /** Installs the pinned version; a missing toolchain throws one line saying what to do. */
  install(context: StackContext): Promise<void>;
  /** Launches the server detached and returns its pid record. */
  start(context: StackContext): Promise<PidRecord>;
  /** One cheap probe of readiness. */
  isHealthy(context: StackContext): Promise<boolean>;
  /** Idempotent bootstrap once healthy (databases, bucket). */
  bootstrap?(context: StackContext): Promise<void>;
  /** The signal that shuts the service down cleanly. */
  stopSignal: NodeJS.Signals;
  /** How long `up` waits for health after start. */
  startTimeoutMs: number;
}
