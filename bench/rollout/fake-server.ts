/**
 * A child process serving the scripted policy over the OpenAI-compatible API with injected
 * latency, so the bench's driver does not share an event loop with the server.
 * Args: --latency-ms N --searches N --queries N. Prints {"url": ...} once listening.
 * `GET /bench/residence` returns, and forgets, each generation request's time inside the
 * server (from Fastify's onRequest to the response written), keyed by the question's number,
 * so the bench can tell the driver's time from the endpoint's.
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
const residence: Array<[question: number, ms: number]> = [];
app.addHook('onResponse', async (request, reply) => {
  const prompt = (request.body as { prompt?: unknown } | undefined)?.prompt;
  if (typeof prompt !== 'string') return;
  const question = /play number (\d+)/.exec(prompt)?.[1];
  if (question !== undefined) {
    residence.push([Number(question), reply.elapsedTime]);
  }
});
app.get('/bench/residence', async () => residence.splice(0));
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ url: `${address}/v1` })}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
