/**
 * An OpenAI-compatible HTTP server (`/v1/completions`, `/v1/chat/completions`, `/v1/models`)
 * in front of any LlmBackend: a local ONNX checkpoint on CPU workers, or a scripted model for
 * tests and the bench. Speaks the vLLM dialect: `stop_reason` names the matched stop string
 * and `continue_final_message` continues a trailing assistant message. `n` choices are sampled
 * independently (together, so a batching backend runs them as one batch); `stream` answers with
 * server-sent events. Parameters it cannot honour are refused (see openai-request.ts).
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { ChatMessage, GenerateRequest, LlmBackend } from '../lib/llm/backend.ts';
import { FaultInjector } from './faults.ts';
import {
  parseChatBody,
  parseCompletionBody,
  type Parsed,
  type SamplingBody,
} from './openai-request.ts';
import { renderResponse, renderStream, type ResponseObject } from './openai-response.ts';

export interface OpenAiServerOptions {
  backend: LlmBackend;
  /** The model name clients must ask for. */
  modelName: string;
  /** When set, requests need `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  faults?: FaultInjector;
  logger?: boolean;
}

export interface ServerStats {
  requests: number;
  completed: number;
  failed: number;
  stalled: number;
  /** Requests whose client went away before the answer. */
  cancelled: number;
}

/** Builds the server; call `listen({ port: 0, host: '127.0.0.1' })` on the result. */
export function createOpenAiServer(options: OpenAiServerOptions): {
  app: FastifyInstance;
  stats: ServerStats;
  faults: FaultInjector;
} {
  // forceCloseConnections: a stalled or cancelled request must not hold close() open.
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: 64 * 1024 * 1024,
    forceCloseConnections: true,
  });
  const faults = options.faults ?? new FaultInjector();
  const stats: ServerStats = { requests: 0, completed: 0, failed: 0, stalled: 0, cancelled: 0 };
  const context = { options, faults, stats };
  app.addHook('onRequest', async (request, reply) => {
    if (options.apiKey && request.headers.authorization !== `Bearer ${options.apiKey}`) {
      return sendError(reply, 401, 'invalid API key', 'invalid_api_key');
    }
    return undefined;
  });
  app.get('/v1/models', async () => ({
    object: 'list',
    data: [{ id: options.modelName, object: 'model', owned_by: 'rag-r1-lab' }],
  }));
  app.post('/v1/completions', async (request, reply) => {
    const body = parseBody(parseCompletionBody(request.body), reply);
    if (!body) return reply;
    const prompt = typeof body.prompt === 'string' ? body.prompt : (body.prompt[0] as string);
    return serve(
      context,
      request,
      reply,
      body,
      { messages: [], assistantPrefix: prompt },
      'text_completion',
    );
  });
  app.post('/v1/chat/completions', async (request, reply) => {
    const body = parseBody(parseChatBody(request.body), reply);
    if (!body) return reply;
    const messages: ChatMessage[] = [...body.messages];
    const last = messages.at(-1) as ChatMessage;
    const isContinuation =
      last.role === 'assistant' && (body.continue_final_message || !body.add_generation_prompt);
    const assistantPrefix = isContinuation ? (messages.pop() as ChatMessage).content : '';
    return serve(context, request, reply, body, { messages, assistantPrefix }, 'chat.completion');
  });
  return { app, stats, faults };
}

function parseBody<T>(parsed: Parsed<T>, reply: FastifyReply): T | null {
  if (parsed.ok) return parsed.body;
  const { message, code, param } = parsed.error;
  void sendError(reply, 400, message, code, param);
  return null;
}

function sendError(
  reply: FastifyReply,
  status: number,
  message: string,
  code: string,
  param: string | null = null,
): FastifyReply {
  const type = status >= 500 ? 'server_error' : 'invalid_request_error';
  return reply.code(status).send({ error: { message, type, param, code } });
}

async function serve(
  context: { options: OpenAiServerOptions; faults: FaultInjector; stats: ServerStats },
  request: FastifyRequest,
  reply: FastifyReply,
  body: SamplingBody,
  input: Pick<GenerateRequest, 'messages' | 'assistantPrefix'>,
  object: ResponseObject,
): Promise<FastifyReply> {
  const { options, faults, stats } = context;
  stats.requests += 1;
  if (body.model !== options.modelName) {
    return sendError(reply, 404, `The model \`${body.model}\` does not exist.`, 'model_not_found');
  }
  const controller = new AbortController();
  let isClientGone = false;
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) {
      isClientGone = true;
      stats.cancelled += 1;
      controller.abort();
    }
  });
  try {
    const decision = await faults.next(controller.signal, reply.elapsedTime);
    if (decision.kind === 'stall') {
      stats.stalled += 1;
      await new Promise((resolve) =>
        controller.signal.addEventListener('abort', resolve, { once: true }),
      );
      return reply;
    }
    if (decision.kind === 'fail') {
      stats.failed += 1;
      return sendError(reply, decision.status, 'injected failure', 'injected');
    }
    const stop =
      body.stop === undefined ? [] : typeof body.stop === 'string' ? [body.stop] : body.stop;
    // Each choice is its own sample: with a seed, choice i draws from seed + i.
    const results = await Promise.all(
      Array.from({ length: body.n }, (_, index) =>
        options.backend.generate({
          ...input,
          sampling: {
            temperature: body.temperature,
            topP: body.top_p,
            maxTokens: body.max_tokens,
            stop,
            ...(body.seed === undefined ? {} : { seed: body.seed + index }),
          },
          signal: controller.signal,
        }),
      ),
    );
    stats.completed += 1;
    const rendering = {
      object,
      model: body.model,
      stops: stop,
      keepStop: body.include_stop_str_in_output,
    };
    if (!body.stream) return reply.send(renderResponse(results, rendering));
    const includeUsage = body.stream_options?.include_usage ?? false;
    return reply
      .header('content-type', 'text/event-stream; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(renderStream(results, { ...rendering, includeUsage }));
  } catch (error) {
    if (isClientGone) return reply;
    // One choice failed: the others' work is wasted, so stop it.
    controller.abort();
    return sendError(
      reply,
      500,
      error instanceof Error ? error.message : String(error),
      'backend_error',
    );
  }
}
