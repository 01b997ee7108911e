/**
 * A child process serving the scripted policy over the OpenAI-compatible API with injected
 * latency, so the bench's driver does not share an event loop with the server.
 * Args: --latency-ms N --searches N --queries N. Prints {"url": ...} once listening.
 */
import { parseArgs } from 'node:util';
import { ScriptedBackend } from '../../lib/llm/scripted-backend.ts';
import { FaultInjector } from '../../serving/faults.ts';
import { createOpenAiServer } from '../../serving/openai-server.ts';
import { scriptedPolicy } from './scripted-policy.ts';

const { values } = parseArgs({
  options: {
    'latency-ms': { type: 'string', default: '1000' },
    searches: { type: 'string', default: '3' },
    queries: { type: 'string', default: '3' },
  },
});
const respond = scriptedPolicy({
  searches: Number(values.searches),
  queriesPerSearch: Number(values.queries),
});
const { app } = createOpenAiServer({
  backend: new ScriptedBackend({ id: 'bench-policy', respond }),
  modelName: 'bench-policy',
  faults: new FaultInjector({ latencyMs: Number(values['latency-ms']) }),
});
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ url: `${address}/v1` })}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
