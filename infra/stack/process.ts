import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, openSync, closeSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServiceUnavailableError } from '../../lib/errors.ts';
import { isRecordAlive, type PidRecord } from './pid-file.ts';

/** How to launch one long-running service process. */
export interface DetachedSpawnOptions {
  service: string;
  command: string;
  args: string[];
  logsDir: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
  /** Substring of the command line identifying the process later (default: `command`). */
  commandMarker?: string;
  isGroup?: boolean;
}

/** Path of a service's log file. */
export function logFilePath(logsDir: string, service: string): string {
  return join(logsDir, `${service}.log`);
}

/**
 * Starts a service in its own session so it outlives the CLI; stdout and stderr append to
 * `<logs>/<service>.log`. Returns the record `down` needs to stop exactly this process.
 */
export function spawnDetached(options: DetachedSpawnOptions): PidRecord {
  mkdirSync(options.logsDir, { recursive: true });
  const logPath = logFilePath(options.logsDir, options.service);
  appendFileSync(logPath, `\n=== ${new Date().toISOString()} starting ${options.command}\n`);
  const fd = openSync(logPath, 'a');
  try {
    const child = spawn(options.command, options.args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: options.env ?? process.env,
      cwd: options.cwd,
      uid: options.uid,
      gid: options.gid,
    });
    if (child.pid === undefined) {
      throw new ServiceUnavailableError(
        `${options.service}: could not start ${options.command}; see ${logPath}`,
      );
    }
    child.unref();
    return {
      service: options.service,
      pid: child.pid,
      commandMarker: options.commandMarker ?? options.command,
      isGroup: options.isGroup ?? true,
      startedAt: new Date().toISOString(),
    };
  } finally {
    closeSync(fd);
  }
}

/** Sends a signal to the recorded process (or its group); a vanished process is fine. */
export function signalRecord(record: PidRecord, signal: NodeJS.Signals): void {
  try {
    process.kill(record.isGroup ? -record.pid : record.pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * Stops a recorded process: `signal` first, SIGKILL after `graceMs`. Resolves once the
 * process is gone.
 */
export async function stopRecord(
  record: PidRecord,
  signal: NodeJS.Signals,
  graceMs = 15_000,
): Promise<void> {
  if (!isRecordAlive(record)) return;
  signalRecord(record, signal);
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isRecordAlive(record)) return;
    await sleep(200);
  }
  signalRecord(record, 'SIGKILL');
  while (isRecordAlive(record)) await sleep(100);
}

/** Options of a helper command run during install or bootstrap. */
export interface RunCommandOptions {
  /** What the command is for, used in the error line. */
  purpose: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
}

/**
 * Runs a helper command to completion without blocking the event loop (installs of different
 * services overlap); a failure throws one line naming the purpose and the output's tail.
 */
export function runCommand(
  command: string,
  args: string[],
  options: RunCommandOptions,
): Promise<string> {
  const { purpose, ...spawnOptions } = options;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', (error) => {
      reject(new ServiceUnavailableError(`${purpose}: ${command}: ${error.message}`));
    });
    child.once('close', (status) => {
      const output = Buffer.concat(chunks).toString('utf8');
      if (status === 0) return resolvePromise(output);
      const tail = output.trim().split('\n').slice(-3).join(' | ');
      reject(new ServiceUnavailableError(`${purpose} failed (exit ${status}): ${tail}`));
    });
  });
}

/** True when `command` is found on PATH (or is an existing absolute path). */
export function hasCommand(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v "${command}"`], { stdio: 'ignore' }).status === 0;
}

/** Promise-based delay. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolvePromise) => setTimeout(resolvePromise, ms));
}

/** Polls `check` until it is true or `timeoutMs` passes; returns whether it became true. */
export async function waitUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}
