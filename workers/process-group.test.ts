import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../tests/support/temp-dirs.ts';
import { planWorkerProcesses, startProcessGroup, SUPERVISED_ENV } from './process-group.ts';

const tempDir = useTempDirs();

describe('planWorkerProcesses', () => {
  it('keeps one process as it was', () => {
    expect(
      planWorkerProcesses({ queues: ['control', 'cpu', 'gpu'], processes: 1, cores: 16 }),
    ).toEqual([{ queues: ['control', 'cpu', 'gpu'], cpuConcurrency: 16 }]);
  });

  it('adds cpu-only processes and shares the cores out', () => {
    expect(
      planWorkerProcesses({ queues: ['control', 'cpu', 'gpu'], processes: 3, cores: 16 }),
    ).toEqual([
      { queues: ['control', 'cpu', 'gpu'], cpuConcurrency: 6 },
      { queues: ['cpu'], cpuConcurrency: 6 },
      { queues: ['cpu'], cpuConcurrency: 6 },
    ]);
    const plan = planWorkerProcesses({
      queues: ['cpu'],
      processes: 2,
      cores: 2,
      cpuConcurrency: 4,
    });
    expect(plan.map((process) => process.cpuConcurrency)).toEqual([4, 4]);
    expect(planWorkerProcesses({ queues: ['gpu'], processes: 1, cores: 8 })).toEqual([
      { queues: ['gpu'] },
    ]);
  });

  it('refuses extra processes without a cpu queue, and a count that is not positive', () => {
    expect(() =>
      planWorkerProcesses({ queues: ['control', 'gpu'], processes: 2, cores: 8 }),
    ).toThrow(/--processes 2: .*--queues control,gpu has none/);
    expect(() => planWorkerProcesses({ queues: ['cpu'], processes: 0, cores: 8 })).toThrow(
      /--processes: expected a positive integer, got 0/,
    );
  });
});

/**
 * A child that logs each start, then waits for SIGTERM and records it; with `crashFirst`, its
 * first run exits 3 at once.
 */
function childArgs(dir: string, name: string, crashFirst: boolean): string[] {
  const script = `
    const fs = require('node:fs');
    const starts = ${JSON.stringify(join(dir, `${name}.starts`))};
    const isFirst = !fs.existsSync(starts);
    fs.appendFileSync(starts, 'start\\n');
    if (${crashFirst} && isFirst) process.exit(3);
    process.on('SIGTERM', () => { fs.writeFileSync(${JSON.stringify(join(dir, `${name}.term`))}, 'term'); process.exit(0); });
    setInterval(() => {}, 1000);`;
  return ['-e', script];
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('startProcessGroup', () => {
  it('restarts a child that crashes and stops every child with the signal', async () => {
    const dir = tempDir('process-group-');
    const lines: string[] = [];
    const group = startProcessGroup({
      commands: [
        { name: 'steady', args: childArgs(dir, 'steady', false) },
        { name: 'crashy', args: childArgs(dir, 'crashy', true) },
      ],
      restartDelayMs: 50,
      log: (line) => lines.push(line),
    });
    await until(() => group.restarts.get('crashy') === 1);
    // The restarted child has written its flag again and now waits like the other.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await group.stop();
    expect(readFileSync(join(dir, 'steady.term'), 'utf8')).toBe('term');
    expect(readFileSync(join(dir, 'crashy.term'), 'utf8')).toBe('term');
    expect(group.restarts.get('steady')).toBeUndefined();
    expect(lines).toEqual(['rag-r1 worker: crashy exited (code 3); restarting in 50 ms']);
  });

  it('restarts nothing once stopped', async () => {
    const dir = tempDir('process-group-');
    const group = startProcessGroup({
      commands: [{ name: 'crashy', args: childArgs(dir, 'crashy', true) }],
      restartDelayMs: 100,
      log: () => undefined,
    });
    await until(() => group.restarts.get('crashy') === 1);
    await group.stop();
    // Past the restart delay: the pending restart was called off.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(readFileSync(join(dir, 'crashy.starts'), 'utf8')).toBe('start\n');
    expect(existsSync(join(dir, 'crashy.term'))).toBe(false);
  });
});

describe('exitWithSupervisor', () => {
  /** A child that calls exitWithSupervisor(20) and records the SIGTERM it then gets. */
  function startChild(dir: string, supervisorPid: number) {
    const module = JSON.stringify(new URL('./process-group.ts', import.meta.url).href);
    const marker = JSON.stringify(join(dir, `term-${supervisorPid}`));
    const script = `
      import(${module}).then(({ exitWithSupervisor }) => {
        process.on('SIGTERM', () => { require('node:fs').writeFileSync(${marker}, 'term'); process.exit(0); });
        exitWithSupervisor(20);
        setInterval(() => {}, 1000);
      });`;
    return spawn(process.execPath, ['--import', 'tsx', '-e', script], {
      env: { ...process.env, [SUPERVISED_ENV]: String(supervisorPid) },
      stdio: 'ignore',
    });
  }

  it('shuts a worker down once its parent is no longer the supervisor', async () => {
    const dir = tempDir('supervisor-');
    const orphan = startChild(dir, 999_999);
    const supervised = startChild(dir, process.pid);
    try {
      await until(() => existsSync(join(dir, 'term-999999')));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(existsSync(join(dir, `term-${process.pid}`))).toBe(false);
      expect(supervised.exitCode).toBeNull();
    } finally {
      orphan.kill('SIGKILL');
      supervised.kill('SIGKILL');
    }
  });
});
