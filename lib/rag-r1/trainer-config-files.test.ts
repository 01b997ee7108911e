import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trainerConfigFiles, WRITE_TRAINER_SCHEMAS_COMMAND } from './trainer-config-files.ts';

const ROOT = join(import.meta.dirname, '../..');

describe('trainer/schemas/', () => {
  for (const [path, expected] of Object.entries(trainerConfigFiles())) {
    it(`${path} is what lib/rag-r1/trainer-config.ts emits`, () => {
      const committed: unknown = JSON.parse(readFileSync(join(ROOT, path), 'utf8'));
      expect(
        committed,
        `${path} is out of date with lib/rag-r1/trainer-config.ts; run: ${WRITE_TRAINER_SCHEMAS_COMMAND}`,
      ).toEqual(expected);
    });
  }
});
