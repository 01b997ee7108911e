/**
 * A child process serving the scripted policy over the OpenAI-compatible API with injected
 * latency, so the bench's driver does not share an event loop with the server.
 * Args: --latency-ms N [--latency-jitter F] --searches N --queries N. Prints {"url": ...}
 * once listening. Each generation is held until its injected latency (injected-latency.ts),
 * counted from the request's arrival, has passed.
 * `GET /bench/residence` returns, and forgets, each generation request's time inside the
 * server (from Fastify's onRequest to the response written), keyed by the question's number,
 * so the bench can tell the driver's time from the endpoint's; it also restarts the turn count
 * of every question (the warm-up asks the same questions).
 */
import { parseArgs } from 'node:util';
import { ScriptedBackend } from '../../lib/llm/scripted-backend.ts';
import { abortableSleep } from '../../lib/llm/abortable-sleep.ts';
import { createOpenAiServer } from '../../serving/openai-server.ts';
import { injectedLlmMs } from './injected-latency.ts';
import { scriptedPolicy } from './scripted-policy.ts';

const { values } = parseArgs({
  options: {
    'latency-ms': { type: 'string', default: '1000' },
    'latency-jitter': { type: 'string', default: '0' },
    searches: { type: 'string', default: '3' },
    queries: { type: 'string', default: '3' },
  },
});
const respond = scriptedPolicy({
  searches: Number(values.searches),
  queriesPerSearch: Number(values.queries),
});
const latency = {
  llmLatencyMs: Number(values['latency-ms']),
  llmLatencyJitter: Number(values['latency-jitter']),
};
const { app } = createOpenAiServer({
  backend: new ScriptedBackend({ id: 'bench-policy', respond }),
  modelName: 'bench-policy',
});
const questionOf = new WeakMap<object, number>();
const turnsSeen = new Map<number, number>();
const residence: Array<[question: number, ms: number]> = [];
app.addHook('preHandler', async (request, reply) => {
  const prompt = (request.body as { prompt?: unknown } | undefined)?.prompt;
  const match = typeof prompt === 'string' ? /play number (\d+)/.exec(prompt) : null;
  if (!match) return;
  const question = Number(match[1]);
  questionOf.set(request, question);
  const turn = turnsSeen.get(question) ?? 0;
  turnsSeen.set(question, turn + 1);
  const remainingMs = injectedLlmMs(latency, question, turn) - reply.elapsedTime;
  if (remainingMs > 0) await abortableSleep(remainingMs);
});
app.addHook('onResponse', async (request, reply) => {
  const question = questionOf.get(request);
  if (question !== undefined) residence.push([question, reply.elapsedTime]);
});
app.get('/bench/residence', async () => {
  turnsSeen.clear();
  return residence.splice(0);
});
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ url: `${address}/v1` })}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
