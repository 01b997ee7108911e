/**
 * Serves a local ONNX checkpoint over the OpenAI-compatible API:
 *   tsx serving/main.ts --checkpoint DIR [--port 8001] [--model NAME] [--template chatml|tiny]
 * Options for tests and benchmarks: --latency-ms, --fail-rate, --api-key.
 */
import { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { CHATML_TEMPLATE, TINY_POLICY_TEMPLATE } from '../lib/llm/chat-template.ts';
import { ConfigError } from '../lib/errors.ts';
import { loadCharTokenizer } from '../lib/llm/onnx/char-tokenizer.ts';
import type { CausalTokenizer } from '../lib/llm/onnx/checkpoint.ts';
import { loadOnnxBackend } from '../lib/llm/onnx/onnx-backend.ts';
import { FaultInjector } from './faults.ts';
import { createOpenAiServer } from './openai-server.ts';

/** The char fixture is read here; trainer tokenizers go through lib/tokenizer once it exists. */
async function loadTokenizer(path: string): Promise<CausalTokenizer> {
  const head = JSON.parse(await readFile(path, 'utf8')) as { type?: string };
  if (head.type === 'char-fixture') return loadCharTokenizer(path);
  throw new ConfigError(
    `${path}: tokenizer type "${head.type}" needs lib/tokenizer (not wired yet)`,
  );
}

const program = new Command()
  .requiredOption(
    '--checkpoint <dir>',
    'checkpoint directory (model.onnx, tokenizer.json, config.json)',
  )
  .option('--host <host>', 'listen address', '127.0.0.1')
  .option('--port <port>', 'listen port (0 = any)', '8001')
  .option('--model <name>', 'model name clients ask for', 'local-onnx')
  .option('--template <name>', 'chat template: chatml or tiny', 'chatml')
  .option('--threads <n>', 'onnxruntime intra-op threads', '1')
  .option('--max-batch <n>', 'requests per batch', '16')
  .option('--api-key <key>', 'require this Bearer token')
  .option('--latency-ms <ms>', 'extra latency per generation request', '0')
  .option('--fail-rate <p>', 'fraction of requests answered 503', '0');

async function main(): Promise<void> {
  const flags = program.parse().opts<Record<string, string>>();
  const backend = await loadOnnxBackend({
    dir: flags.checkpoint as string,
    loadTokenizer,
    threads: Number(flags.threads),
    maxBatchSize: Number(flags.maxBatch),
    chatTemplate: flags.template === 'tiny' ? TINY_POLICY_TEMPLATE : CHATML_TEMPLATE,
  });
  const faults = new FaultInjector({
    latencyMs: Number(flags.latencyMs),
    failureRate: Number(flags.failRate),
  });
  const { app } = createOpenAiServer({
    backend,
    modelName: flags.model as string,
    faults,
    logger: true,
    ...(flags.apiKey ? { apiKey: flags.apiKey } : {}),
  });
  const address = await app.listen({ host: flags.host as string, port: Number(flags.port) });
  process.stdout.write(
    `${JSON.stringify({ event: 'listening', url: `${address}/v1`, model: flags.model })}\n`,
  );
  const shutdown = (): void => void app.close().then(() => backend.close());
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

await main();
