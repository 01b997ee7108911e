#!/usr/bin/env node
// Thin launcher: the CLI is TypeScript run through tsx, so no build step stands between a
// change and the command that uses it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const result = spawnSync(
  process.execPath,
  ['--import', import.meta.resolve('tsx'), join(root, 'cli', 'main.ts'), ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    // The AWS SDK warns on every start under Node 20; it stays supported for our use.
    // Local state lives in the checkout, wherever the command is run from.
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      RAG_R1_DATA_DIR: join(root, '.data'),
      ...process.env,
    },
  },
);
process.exit(result.status ?? 1);
