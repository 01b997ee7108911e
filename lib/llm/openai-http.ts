/**
 * LlmBackend over an OpenAI-compatible HTTP API (vLLM, SGLang, OpenAI, our serving/ server):
 * bounded concurrency, retries with jittered backoff, per-request timeouts, cancellation,
 * token accounting and errors that say what to fix.
 */
import { z } from 'zod';
import { DataError, UpstreamHttpError } from '../errors.ts';
import { abortReason } from './abortable-sleep.ts';
import { AsyncCaller } from './async-caller.ts';
import type { ChatMessage, GenerateRequest, GenerateResult, LlmBackend, Usage } from './backend.ts';
import { CHATML_TEMPLATE, type ChatTemplate } from './chat-template.ts';
import { GrowingJsonBody } from './growing-json-body.ts';
import {
  createHttpTransport,
  HttpTimeoutError,
  type HttpResponseText,
  type HttpTransport,
} from './http-transport.ts';
import { CompletionResponseSchema, httpError, restoreStop } from './openai-wire.ts';

export const OpenAiHttpOptionsSchema = z
  .object({
    baseUrl: z.string().url().describe('API root, e.g. http://127.0.0.1:8001/v1'),
    model: z.string().min(1).describe('model name the server knows'),
    apiKey: z.string().optional().describe('sent as a Bearer token'),
    api: z
      .enum(['completions', 'chat'])
      .default('completions')
      .describe('completions renders the chat template here; chat lets the server do it'),
    continueFinalMessage: z
      .boolean()
      .default(true)
      .describe(
        'chat: send vLLM/SGLang continue_final_message so the assistant prefix is continued',
      ),
    maxConcurrency: z.number().int().positive().default(64),
    maxRetries: z.number().int().min(0).default(4),
    timeoutMs: z.number().int().positive().default(120_000).describe('per attempt'),
    baseDelayMs: z.number().int().min(0).default(500),
    maxDelayMs: z.number().int().min(0).default(20_000),
  })
  .strict();
export type OpenAiHttpOptions = z.input<typeof OpenAiHttpOptionsSchema>;

export interface OpenAiHttpUsage extends Usage {
  requests: number;
  retries: number;
}

export class OpenAiHttpBackend implements LlmBackend {
  readonly id: string;
  private readonly settings: z.infer<typeof OpenAiHttpOptionsSchema>;
  private readonly caller: AsyncCaller;
  private readonly totals = { promptTokens: 0, completionTokens: 0, requests: 0 };
  private readonly transport: HttpTransport = createHttpTransport();
  private readonly bodies = new GrowingJsonBody();

  constructor(
    options: OpenAiHttpOptions,
    private readonly chatTemplate: ChatTemplate = CHATML_TEMPLATE,
  ) {
    this.settings = OpenAiHttpOptionsSchema.parse(options);
    this.settings.baseUrl = this.settings.baseUrl.replace(/\/+$/, '');
    this.id = `openai-http:${this.settings.api}:${this.settings.model}@${this.settings.baseUrl}`;
    this.caller = new AsyncCaller({
      maxConcurrency: this.settings.maxConcurrency,
      maxRetries: this.settings.maxRetries,
      baseDelayMs: this.settings.baseDelayMs,
      maxDelayMs: this.settings.maxDelayMs,
    });
  }

  /** Tokens and requests over this backend's lifetime, as the server reported them. */
  get usage(): OpenAiHttpUsage {
    return { ...this.totals, retries: this.caller.retries };
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const isChat = this.settings.api === 'chat';
    const url = `${this.settings.baseUrl}/${isChat ? 'chat/completions' : 'completions'}`;
    const { fields, text, closing } = this.requestBody(request);
    const body = this.bodies.encode(fields, text, closing, request.episode);
    const json = await this.caller.call(() => this.send(url, body, request.signal), request.signal);
    const parsed = CompletionResponseSchema.safeParse(json);
    if (!parsed.success) {
      throw new DataError(`${url}: unexpected response shape: ${parsed.error.issues[0]?.message}`);
    }
    const choice = parsed.data.choices[0] as (typeof parsed.data.choices)[number];
    const raw = (isChat ? choice.message?.content : choice.text) ?? '';
    const usage = {
      promptTokens: parsed.data.usage?.prompt_tokens ?? 0,
      completionTokens: parsed.data.usage?.completion_tokens ?? 0,
    };
    this.totals.promptTokens += usage.promptTokens;
    this.totals.completionTokens += usage.completionTokens;
    this.totals.requests += 1;
    return { ...restoreStop(raw, choice, request.sampling.stop), usage };
  }

  /** Closes the keep-alive sockets. */
  async close(): Promise<void> {
    this.transport.close();
  }

  /** Asks `/models` whether the configured model is served; throws a clear error if not. */
  async checkModel(signal?: AbortSignal): Promise<void> {
    const url = `${this.settings.baseUrl}/models`;
    const json = (await this.caller.call(() => this.send(url, undefined, signal), signal)) as {
      data?: Array<{ id?: string }>;
    };
    const ids = (json.data ?? []).map((entry) => entry.id);
    if (!ids.includes(this.settings.model)) {
      throw new UpstreamHttpError(
        `${url}: model "${this.settings.model}" not served; available: ${ids.join(', ') || '(none)'}`,
        404,
      );
    }
  }

  /**
   * The body's fields, with the text that grows over an episode (the completion prompt, or
   * the last chat message) written last as an empty string, and what closes the JSON after it.
   */
  private requestBody(request: GenerateRequest): {
    fields: Record<string, unknown>;
    text: string;
    closing: string;
  } {
    const { sampling } = request;
    const common = {
      model: this.settings.model,
      max_tokens: sampling.maxTokens,
      temperature: sampling.temperature,
      top_p: sampling.topP,
      ...(sampling.stop.length > 0 ? { stop: sampling.stop } : {}),
      ...(sampling.seed === undefined ? {} : { seed: sampling.seed }),
    };
    if (this.settings.api === 'completions') {
      const prompt = this.chatTemplate(request.messages, request.assistantPrefix);
      return { fields: { ...common, prompt: '' }, text: prompt, closing: '}' };
    }
    const isContinuation = request.assistantPrefix !== '';
    const messages: ChatMessage[] = isContinuation
      ? [...request.messages, { role: 'assistant', content: request.assistantPrefix }]
      : [...request.messages];
    const last = messages.pop();
    if (last === undefined) throw new DataError(`${this.id}: a chat request needs a message`);
    const extension =
      isContinuation && this.settings.continueFinalMessage
        ? { continue_final_message: true, add_generation_prompt: false }
        : {};
    return {
      fields: {
        ...common,
        ...extension,
        messages: [...messages, { role: last.role, content: '' }],
      },
      text: last.content,
      closing: '}]}',
    };
  }

  /** One attempt: the caller's signal cancels it, the per-attempt timeout fails it (retryably). */
  private async send(
    url: string,
    body: Uint8Array | undefined,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.settings.apiKey) headers.authorization = `Bearer ${this.settings.apiKey}`;
    let response: HttpResponseText;
    try {
      response = await this.transport.request({
        url,
        method: body === undefined ? 'GET' : 'POST',
        headers,
        ...(body === undefined ? {} : { body }),
        ...(signal ? { signal } : {}),
        timeoutMs: this.settings.timeoutMs,
      });
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      if (error instanceof HttpTimeoutError) {
        throw new UpstreamHttpError(
          `${url}: no response within ${this.settings.timeoutMs} ms`,
          408,
        );
      }
      throw new UpstreamHttpError(`${url}: request failed: ${describeNetworkError(error)}`, 0);
    }
    const { status, text } = response;
    if (status < 200 || status >= 300) {
      throw httpError({ status, body: text, url, model: this.settings.model });
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new DataError(`${url}: response is not JSON: ${text.slice(0, 200)}`);
    }
  }
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: string; message?: string } | undefined;
  return cause?.code ? `${error.message} (${cause.code})` : error.message;
}
