import { z } from 'zod';
import { RagR1ConfigSchema } from './config.ts';
import {
  buildPpoTrainerConfig,
  buildSftTrainerConfig,
  PpoTrainerConfigSchema,
  SftTrainerConfigSchema,
} from './trainer-config.ts';

/** The command that rewrites the committed files below. */
export const WRITE_TRAINER_SCHEMAS_COMMAND = 'npx tsx infra/write-trainer-schemas.ts';

/** Where the trainer's tests find example configs: placeholders for every path. */
const PLACEHOLDER_FILES = {
  outputDir: 'OUTPUT_DIR',
  threads: 1,
  trainFile: 'TRAIN_FILE',
  tokenizer: 'TOKENIZER',
  policyCheckpoint: 'POLICY_CHECKPOINT',
  retrieverUrl: 'http://127.0.0.1:8000/retrieve',
};

function jsonSchema(schema: z.ZodType, name: string, title: string): object {
  return {
    $id: `rag-r1-lab/trainer/schemas/${name}`,
    title,
    ...z.toJSONSchema(schema, { io: 'input' }),
  };
}

/**
 * Every file the trainer reads from TypeScript's definitions, by repository path: the JSON
 * Schema of the `sft` and `ppo` configs, and the tiny preset's configs as complete examples
 * (the trainer's tests start from them). Pure: the same code always gives the same files.
 */
export function trainerConfigFiles(): Record<string, object> {
  const tiny = RagR1ConfigSchema.parse({});
  return {
    'trainer/schemas/sft-config.schema.json': jsonSchema(
      SftTrainerConfigSchema,
      'sft-config.schema.json',
      'RAG-R1 trainer `sft` config (generated from lib/rag-r1/trainer-config.ts)',
    ),
    'trainer/schemas/ppo-config.schema.json': jsonSchema(
      PpoTrainerConfigSchema,
      'ppo-config.schema.json',
      'RAG-R1 trainer `ppo` config (generated from lib/rag-r1/trainer-config.ts)',
    ),
    'trainer/schemas/tiny-sft-config.json': buildSftTrainerConfig(tiny.sft, PLACEHOLDER_FILES),
    'trainer/schemas/tiny-ppo-config.json': buildPpoTrainerConfig(tiny, PLACEHOLDER_FILES),
  };
}
