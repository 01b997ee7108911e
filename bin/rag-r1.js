#!/usr/bin/env node
// Thin launcher: the CLI is TypeScript loaded through tsx's loader in this same process, so no
// build step stands between a change and the command, and signals reach the command directly.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { register } from 'tsx/esm/api';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The AWS SDK warns on every start under Node 20; it stays supported for our use.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Local state lives in the checkout, wherever the command is run from.
process.env.RAG_R1_DATA_DIR ??= join(root, '.data');
register();
await import(pathToFileURL(join(root, 'cli', 'main.ts')).href);
