import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ServiceUnavailableError } from '../../lib/errors.ts';
import { sleep } from './process.ts';

/** True when a process with this pid exists (signal 0 probes without signalling). */
function isPidRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryAcquire(path: string): boolean {
  try {
    const fd = openSync(path, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  }
}

function holderOf(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `action` while holding .data/run/stack.lock, so two `stack up`/`down` calls from
 * different shells never start the same server twice or delete each other's pid files. A
 * lock left by a dead process is taken over.
 */
export async function withStackLock<T>(
  runDir: string,
  action: () => Promise<T>,
  timeoutMs = 300_000,
): Promise<T> {
  mkdirSync(runDir, { recursive: true });
  const path = join(runDir, 'stack.lock');
  const deadline = Date.now() + timeoutMs;
  while (!tryAcquire(path)) {
    const holder = holderOf(path);
    if (holder === undefined || !isPidRunning(holder)) {
      rmSync(path, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new ServiceUnavailableError(
        `another \`rag-r1 stack\` command (pid ${holder}) holds ${path}; wait for it or stop it`,
      );
    }
    await sleep(500);
  }
  try {
    return await action();
  } finally {
    rmSync(path, { force: true });
  }
}
