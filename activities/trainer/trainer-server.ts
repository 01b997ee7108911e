import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ConfigError, TrainerCrashedError } from '../../lib/errors.ts';
import { loadEnv } from '../../lib/env.ts';
import { PACKAGE_DIR, trainerPython } from './run-trainer-stage.ts';
import { killProcessGroup } from './trainer-process.ts';

/** The trainer's `serve` config (trainer/rag_r1_trainer/config.py ServeConfig). */
export interface ServeConfig {
  checkpoint: string;
  model_name: string;
  device: 'auto' | 'cpu' | 'cuda';
  threads: number;
  max_batch: number;
}

export interface TrainerServer {
  /** The OpenAI-compatible API root, e.g. http://127.0.0.1:41234/v1 */
  url: string;
  close(): Promise<void>;
}

/**
 * Starts `python -m rag_r1_trainer serve` on a free loopback port and resolves once it
 * reports `ready` (the model is loaded); a process that fails first rejects with its error.
 * The server lives in its own process group and dies with this worker.
 */
export async function startTrainerServer(
  config: ServeConfig,
  workDir: string,
  options: { readyTimeoutMs?: number } = {},
): Promise<TrainerServer> {
  const configPath = join(workDir, `serve-${config.model_name}.json`);
  await writeFile(configPath, JSON.stringify({ ...config, host: '127.0.0.1', port: 0 }));
  const child = spawn(
    trainerPython(loadEnv().RAG_R1_PYTHON),
    ['-m', 'rag_r1_trainer', 'serve', '--config', configPath],
    {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PYTHONPATH: PACKAGE_DIR,
        PYTHONUNBUFFERED: '1',
        RAG_R1_EXIT_WITH_PARENT: String(process.pid),
      },
    },
  );
  const stderr: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr.push(chunk);
    if (stderr.length > 40) stderr.shift();
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const close = async () => {
    killProcessGroup(child.pid, 5_000);
    await exited;
  };
  const ready = (async () => {
    for await (const line of createInterface({ input: child.stdout })) {
      if (!line.startsWith('{')) continue;
      const event = JSON.parse(line) as { event?: string; url?: string; message?: string };
      if (event.event === 'ready' && event.url) return event.url;
      if (event.event === 'error') throw new ConfigError(`trainer serve: ${event.message}`);
    }
    const code = await exited;
    throw new TrainerCrashedError(
      `trainer serve exited with code ${code}: ${stderr.join('').slice(-2_000).trim() || 'no stderr'}`,
    );
  })();
  const timeoutMs = options.readyTimeoutMs ?? 600_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TrainerCrashedError(`trainer serve: not ready within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    const url = await Promise.race([ready, timeout]);
    return { url, close };
  } catch (error) {
    await close();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
