/**
 * Response bodies in the OpenAI wire format (with vLLM's `stop_reason`): one JSON object, or
 * the `text/event-stream` of `chat.completion.chunk` / `text_completion` events.
 */
import type { GenerateResult } from '../lib/llm/backend.ts';

export type ResponseObject = 'text_completion' | 'chat.completion';

export interface ResponseOptions {
  object: ResponseObject;
  model: string;
  /** The stop strings of the request. */
  stops: string[];
  /** vLLM's `include_stop_str_in_output`. */
  keepStop: boolean;
}

interface Choice {
  text: string;
  finishReason: 'stop' | 'length';
  /** The stop string that ended the text (vLLM's `stop_reason`), else null. */
  stopReason: string | null;
}

function toChoice(result: GenerateResult, options: ResponseOptions): Choice {
  const matched =
    result.finishReason === 'stop'
      ? options.stops.find((stop) => result.text.endsWith(stop))
      : undefined;
  // Like vLLM and OpenAI, the matched stop string is not part of the returned text.
  const text =
    matched === undefined || options.keepStop ? result.text : result.text.slice(0, -matched.length);
  const finishReason = result.finishReason === 'length' ? 'length' : 'stop';
  return { text, finishReason, stopReason: matched ?? null };
}

function header(options: ResponseOptions, object: string): Record<string, unknown> {
  const prefix = options.object === 'chat.completion' ? 'chatcmpl' : 'cmpl';
  return {
    id: `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`,
    object,
    created: Math.floor(Date.now() / 1000),
    model: options.model,
  };
}

/** The prompt counts once; every choice's completion counts. */
function usageOf(results: GenerateResult[]): Record<string, number> {
  const prompt = results[0]?.usage.promptTokens ?? 0;
  const completion = results.reduce((sum, result) => sum + result.usage.completionTokens, 0);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
}

/** The whole answer as one JSON body, choice `i` from `results[i]`. */
export function renderResponse(
  results: GenerateResult[],
  options: ResponseOptions,
): Record<string, unknown> {
  const choices = results.map((result, index) => {
    const { text, finishReason, stopReason } = toChoice(result, options);
    const body =
      options.object === 'text_completion'
        ? { text }
        : { message: { role: 'assistant', content: text } };
    return { index, ...body, logprobs: null, finish_reason: finishReason, stop_reason: stopReason };
  });
  return { ...header(options, options.object), choices, usage: usageOf(results) };
}

/**
 * The answer as server-sent events: per choice, (chat only) a role delta, content deltas,
 * then a chunk with its finish_reason; a usage chunk when asked for; then `[DONE]`. The
 * backend returns whole generations, so the events are written once each choice is done.
 */
export function renderStream(
  results: GenerateResult[],
  options: ResponseOptions & { includeUsage: boolean },
): string {
  const isChat = options.object === 'chat.completion';
  const head = header(options, isChat ? 'chat.completion.chunk' : 'text_completion');
  const extra = options.includeUsage ? { usage: null } : {};
  const events: unknown[] = [];
  const push = (index: number, content: object, finish: Choice | null): void => {
    const choice = {
      index,
      ...content,
      logprobs: null,
      finish_reason: finish?.finishReason ?? null,
      ...(finish ? { stop_reason: finish.stopReason } : {}),
    };
    events.push({ ...head, choices: [choice], ...extra });
  };
  results.forEach((result, index) => {
    const choice = toChoice(result, options);
    if (isChat) push(index, { delta: { role: 'assistant', content: '' } }, null);
    for (const piece of splitDeltas(choice.text)) {
      push(index, isChat ? { delta: { content: piece } } : { text: piece }, null);
    }
    push(index, isChat ? { delta: {} } : { text: '' }, choice);
  });
  if (options.includeUsage) events.push({ ...head, choices: [], usage: usageOf(results) });
  return events.map((event) => `data: ${JSON.stringify(event)}\n\n`).join('') + 'data: [DONE]\n\n';
}

/** Word-sized pieces (each with the whitespace before it) that join back into `text`. */
function splitDeltas(text: string): string[] {
  return text.match(/\s*\S+|\s+/g) ?? [];
}
