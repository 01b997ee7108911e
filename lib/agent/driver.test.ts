import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { abortableSleep } from '../llm/abortable-sleep.ts';
import { runRollouts, type RolloutCheckpoint, type RolloutProgress } from './driver.ts';
import { createJsonlCheckpoint } from './jsonl-checkpoint.ts';

const ResultSchema = z.object({ id: z.string(), ok: z.boolean() }).strict();
type Result = z.infer<typeof ResultSchema>;
const items = (count: number) => Array.from({ length: count }, (_, index) => ({ id: `q${index}` }));

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'driver-test-'));
  path = join(dir, 'rollouts.jsonl');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fileCheckpoint = () =>
  createJsonlCheckpoint({ path, schema: ResultSchema, keyOf: (result) => result.id });

describe('runRollouts', () => {
  it('runs every item at bounded concurrency and returns results in item order', async () => {
    let active = 0;
    let peak = 0;
    const result = await runRollouts({
      items: items(50),
      concurrency: 7,
      checkpoint: fileCheckpoint(),
      saveBatchSize: 8,
      rollout: async (item) => {
        active += 1;
        peak = Math.max(peak, active);
        await abortableSleep(Math.random() * 5);
        active -= 1;
        return { id: item.id, ok: true };
      },
    });
    expect(peak).toBe(7);
    expect(result.results.map((row) => row.id)).toEqual(items(50).map((item) => item.id));
    const stored = (await readFile(path, 'utf8')).trim().split('\n');
    expect(stored).toHaveLength(50);
  });

  it('starts a large batch in waves, so I/O from the first rollouts runs before the last start', async () => {
    let started = 0;
    let startedWhenFirstIoRan = -1;
    await runRollouts({
      items: items(200),
      concurrency: 200,
      checkpoint: { load: async () => new Map(), save: async () => undefined },
      rollout: async (item) => {
        if (started === 0) setImmediate(() => (startedWhenFirstIoRan = started));
        started += 1;
        await abortableSleep(5);
        return { id: item.id, ok: true };
      },
    });
    expect(started).toBe(200);
    expect(startedWhenFirstIoRan).toBeGreaterThan(0);
    expect(startedWhenFirstIoRan).toBeLessThan(200);
  });

  it('resumes after a kill: skips saved ids, tolerates a torn last line, reruns unfinished ones', async () => {
    await writeFile(path, '{"id":"q0","ok":true}\n{"id":"q1","ok":false}\n{"id":"q2","ok":tr');
    const ran: string[] = [];
    const result = await runRollouts({
      items: items(4),
      concurrency: 2,
      checkpoint: fileCheckpoint(),
      isFinished: (row: Result) => row.ok,
      rollout: async (item) => {
        ran.push(item.id);
        return { id: item.id, ok: true };
      },
    });
    expect(ran.sort()).toEqual(['q1', 'q2', 'q3']);
    expect(result.resumed).toBe(1);
    const lines = (await readFile(path, 'utf8')).split('\n').filter((line) => line !== '');
    expect(lines.every((line) => JSON.parse(line) !== undefined)).toBe(true);
    const reloaded = await fileCheckpoint().load();
    expect([...reloaded.values()].every((row) => row.ok)).toBe(true);
    expect(reloaded.size).toBe(4);
  });

  it('names the line of a corrupt record in the middle of the file', async () => {
    await writeFile(path, '{"id":"q0","ok":true}\nnot json\n{"id":"q2","ok":true}\n');
    await expect(fileCheckpoint().load()).rejects.toThrow(/rollouts\.jsonl:2/);
  });

  it('saves what finished before a cancellation and rethrows it', async () => {
    const controller = new AbortController();
    const saved: Result[] = [];
    const checkpoint: RolloutCheckpoint<Result> = {
      load: async () => new Map(),
      save: async (batch) => {
        saved.push(...batch);
      },
    };
    const run = runRollouts({
      items: items(20),
      concurrency: 4,
      checkpoint,
      signal: controller.signal,
      rollout: async (item, signal) => {
        await abortableSleep(Number(item.id.slice(1)) < 4 ? 1 : 10_000, signal);
        return { id: item.id, ok: true };
      },
    });
    await abortableSleep(100);
    controller.abort(new Error('stage cancelled'));
    await expect(run).rejects.toThrow('stage cancelled');
    expect(saved.map((row) => row.id).sort()).toEqual(['q0', 'q1', 'q2', 'q3']);
  });

  it('fails the whole run when a rollout throws, aborting the others', async () => {
    let aborted = 0;
    const run = runRollouts({
      items: items(5),
      concurrency: 5,
      checkpoint: { load: async () => new Map(), save: async () => undefined },
      rollout: async (item, signal) => {
        if (item.id === 'q0') throw new Error('boom');
        try {
          await abortableSleep(10_000, signal);
        } catch (error) {
          aborted += 1;
          throw error;
        }
        return { id: item.id, ok: true };
      },
    });
    await expect(run).rejects.toThrow('boom');
    expect(aborted).toBe(4);
  });

  it('reports progress including a final report', async () => {
    const reports: RolloutProgress[] = [];
    await runRollouts({
      items: items(10),
      concurrency: 3,
      checkpoint: fileCheckpoint(),
      progressIntervalMs: 0,
      onProgress: (progress) => reports.push(progress),
      rollout: async (item) => ({ id: item.id, ok: true }),
    });
    const last = reports.at(-1) as RolloutProgress;
    expect(last).toMatchObject({ total: 10, done: 10, inFlight: 0, saved: 10, etaMs: 0 });
    expect(reports.length).toBeGreaterThan(1);
  });
});
