import { z } from 'zod';
import { ConfigError } from './errors.ts';

/**
 * Every setting that comes from the environment, parsed once. Defaults are the local stack's
 * loopback ports (`rag-r1 stack up`), so a fresh checkout needs no configuration.
 */
export const EnvSchema = z
  .object({
    RAG_R1_DATA_DIR: z.string().default('.data').describe('local state: servers, caches, worlds'),
    TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
    TEMPORAL_NAMESPACE: z.string().default('default'),
    TEMPORAL_UI_URL: z.string().url().default('http://127.0.0.1:8233'),
    DATABASE_URL: z.string().url().default('postgresql://raglab:raglab@127.0.0.1:55432/raglab'),
    S3_ENDPOINT: z.string().url().default('http://127.0.0.1:9100'),
    S3_REGION: z.string().default('us-east-1'),
    S3_BUCKET: z.string().default('rag-r1-lab'),
    S3_ACCESS_KEY_ID: z.string().default('raglab'),
    S3_SECRET_ACCESS_KEY: z.string().default('raglab-secret'),
    S3_FORCE_PATH_STYLE: z
      .enum(['true', 'false'])
      .default('true')
      .transform((value) => value === 'true'),
    MLFLOW_TRACKING_URI: z.string().url().default('http://127.0.0.1:5050'),
    RETRIEVER_URL: z.string().url().default('http://127.0.0.1:8000'),
    WEB_PORT: z.coerce.number().int().positive().default(3000),
    RAG_R1_API_TOKEN: z.string().default('dev-token'),
    RAG_R1_PYTHON: z.string().default('.data/venv/trainer/bin/python'),
    /** Torch CPU threads per training stage; 1 is safe on a machine shared with other jobs. */
    RAG_R1_TRAINER_THREADS: z.coerce.number().int().positive().default(1),
  })
  .passthrough();

export type Env = z.infer<typeof EnvSchema>;

let cached: Env | undefined;

/** Parses `process.env` once; a bad value names the variable. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  if (source === process.env && cached) return cached;
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`environment variable ${issue?.path.join('.')}: ${issue?.message}`);
  }
  if (source === process.env) cached = parsed.data;
  return parsed.data;
}
