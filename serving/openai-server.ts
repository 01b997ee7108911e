/**
 * An OpenAI-compatible HTTP server (`/v1/completions`, `/v1/chat/completions`, `/v1/models`)
 * in front of any LlmBackend: a local ONNX checkpoint on CPU workers, or a scripted model for
 * tests and the bench. Speaks the vLLM dialect: `stop_reason` names the matched stop string
 * and `continue_final_message` continues a trailing assistant message.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import type {
  ChatMessage,
  GenerateRequest,
  GenerateResult,
  LlmBackend,
} from '../lib/llm/backend.ts';
import { FaultInjector } from './faults.ts';

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

const SamplingFields = {
  model: z.string(),
  max_tokens: z.number().int().positive().default(256),
  temperature: z.number().min(0).default(1),
  top_p: z.number().gt(0).max(1).default(1),
  stop: z.union([z.string(), z.array(z.string())]).optional(),
  seed: z.number().int().optional(),
};
const CompletionBodySchema = z
  .object({ ...SamplingFields, prompt: z.union([z.string(), z.array(z.string()).length(1)]) })
  .loose();
const ChatBodySchema = z
  .object({
    ...SamplingFields,
    messages: z
      .array(z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() }))
      .min(1),
    continue_final_message: z.boolean().default(false),
    add_generation_prompt: z.boolean().default(true),
  })
  .loose();
type SamplingBody = z.infer<z.ZodObject<typeof SamplingFields>>;

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
    const body = parseBody(CompletionBodySchema, request.body, reply);
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
    const body = parseBody(ChatBodySchema, request.body, reply);
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

function parseBody<T>(schema: z.ZodType<T>, body: unknown, reply: FastifyReply): T | null {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  void sendError(
    reply,
    400,
    `${issue?.path.join('.') || 'body'}: ${issue?.message}`,
    'invalid_request',
  );
  return null;
}

function sendError(
  reply: FastifyReply,
  status: number,
  message: string,
  code: string,
): FastifyReply {
  const type = status >= 500 ? 'server_error' : 'invalid_request_error';
  return reply.code(status).send({ error: { message, type, code } });
}

async function serve(
  context: { options: OpenAiServerOptions; faults: FaultInjector; stats: ServerStats },
  request: FastifyRequest,
  reply: FastifyReply,
  body: SamplingBody,
  input: Pick<GenerateRequest, 'messages' | 'assistantPrefix'>,
  object: 'text_completion' | 'chat.completion',
): Promise<FastifyReply> {
  const { options, faults, stats } = context;
  stats.requests += 1;
  if (body.model !== options.modelName) {
    return sendError(reply, 404, `The model \`${body.model}\` does not exist.`, 'model_not_found');
  }
  const controller = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) {
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
    const result = await options.backend.generate({
      ...input,
      sampling: {
        temperature: body.temperature,
        topP: body.top_p,
        maxTokens: body.max_tokens,
        stop,
        ...(body.seed === undefined ? {} : { seed: body.seed }),
      },
      signal: controller.signal,
    });
    stats.completed += 1;
    return reply.send(renderResponse(result, stop, body.model, object));
  } catch (error) {
    if (controller.signal.aborted) return reply;
    return sendError(
      reply,
      500,
      error instanceof Error ? error.message : String(error),
      'backend_error',
    );
  }
}

function renderResponse(
  result: GenerateResult,
  stops: string[],
  model: string,
  object: 'text_completion' | 'chat.completion',
): Record<string, unknown> {
  const matched =
    result.finishReason === 'stop' ? stops.find((stop) => result.text.endsWith(stop)) : undefined;
  // Like vLLM and OpenAI, the matched stop string is not part of the returned text.
  const text = matched === undefined ? result.text : result.text.slice(0, -matched.length);
  const finish = result.finishReason === 'length' ? 'length' : 'stop';
  const choice =
    object === 'text_completion'
      ? { index: 0, text, finish_reason: finish, stop_reason: matched ?? null }
      : {
          index: 0,
          message: { role: 'assistant', content: text },
          finish_reason: finish,
          stop_reason: matched ?? null,
        };
  return {
    id: `cmpl-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`,
    object,
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [choice],
    usage: {
      prompt_tokens: result.usage.promptTokens,
      completion_tokens: result.usage.completionTokens,
      total_tokens: result.usage.promptTokens + result.usage.completionTokens,
    },
  };
}
