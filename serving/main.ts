/**
 * Serves a local ONNX checkpoint (the trainer's `export-onnx` directory) over the
 * OpenAI-compatible API:
 *   tsx serving/main.ts --checkpoint DIR [--port 8001] [--model NAME] [--template auto|chatml|tiny]
 * Options for tests and benchmarks: --latency-ms, --fail-rate, --api-key.
 */
import { Command, Option } from 'commander';
import { LabError } from '../lib/errors.ts';
import { FaultInjector } from './faults.ts';
import { loadServedCheckpoint, type ServedTemplate } from './load-served-checkpoint.ts';
import { createOpenAiServer } from './openai-server.ts';

const program = new Command()
  .requiredOption(
    '--checkpoint <dir>',
    'checkpoint directory (model.onnx, tokenizer.json, config.json)',
  )
  .option('--host <host>', 'listen address', '127.0.0.1')
  .option('--port <port>', 'listen port (0 = any)', '8001')
  .option('--model <name>', 'model name clients ask for', 'local-onnx')
  .addOption(
    new Option(
      '--template <name>',
      'chat template (auto: the tiny policy layout for trainer tokenizers, else ChatML)',
    )
      .choices(['auto', 'chatml', 'tiny'])
      .default('auto'),
  )
  .option('--threads <n>', 'onnxruntime intra-op threads', '1')
  .option('--max-batch <n>', 'requests per batch', '16')
  .option('--api-key <key>', 'require this Bearer token')
  .option('--latency-ms <ms>', 'extra latency per generation request', '0')
  .option('--fail-rate <p>', 'fraction of requests answered 503', '0');

async function main(): Promise<void> {
  const flags = program.parse().opts<Record<string, string>>();
  const backend = await loadServedCheckpoint({
    dir: flags.checkpoint as string,
    template: flags.template as ServedTemplate,
    threads: Number(flags.threads),
    maxBatchSize: Number(flags.maxBatch),
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

try {
  await main();
} catch (error) {
  // A LabError's message names the file and what is wrong with it; its stack adds nothing.
  const text =
    error instanceof LabError ? error.message : error instanceof Error ? error.stack : error;
  process.stderr.write(`serving: ${String(text)}\n`);
  process.exitCode = 1;
}
