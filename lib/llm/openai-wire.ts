/**
 * The OpenAI-compatible wire format as vLLM, SGLang and OpenAI speak it: response schemas,
 * stop-string restoration and error classification. Shared by the HTTP backend and tests.
 */
import { z } from 'zod';
import { UpstreamHttpError } from '../errors.ts';
import type { GenerateResult } from './backend.ts';

const UsageSchema = z
  .object({ prompt_tokens: z.number().default(0), completion_tokens: z.number().default(0) })
  .loose();

const ChoiceSchema = z
  .object({
    text: z.string().optional(),
    message: z.object({ content: z.string().nullable().optional() }).loose().optional(),
    finish_reason: z.string().nullable().optional(),
    /** vLLM: the stop string (or token id) that ended generation. */
    stop_reason: z.union([z.string(), z.number()]).nullable().optional(),
    /** SGLang's name for the same. */
    matched_stop: z.union([z.string(), z.number()]).nullable().optional(),
  })
  .loose();

export const CompletionResponseSchema = z
  .object({ choices: z.array(ChoiceSchema).min(1), usage: UsageSchema.nullable().optional() })
  .loose();
export type CompletionResponse = z.infer<typeof CompletionResponseSchema>;

/**
 * Servers drop the matched stop string from the text; the LlmBackend contract keeps it. The
 * server's `stop_reason`/`matched_stop` says which one matched; without it (OpenAI), a stop
 * string closing a tag the text left open (`</search>` after `<search>`) is assumed.
 */
export function restoreStop(
  text: string,
  choice: z.infer<typeof ChoiceSchema>,
  stops: readonly string[],
): Pick<GenerateResult, 'text' | 'finishReason'> {
  if (choice.finish_reason === 'length') return { text, finishReason: 'length' };
  const matched = choice.stop_reason ?? choice.matched_stop;
  if (typeof matched === 'string' && stops.includes(matched)) {
    return { text: text.endsWith(matched) ? text : text + matched, finishReason: 'stop' };
  }
  if (matched === undefined && choice.finish_reason === 'stop') {
    const closing = stops.find((stop) => stop.startsWith('</') && isTagOpen(text, stop));
    if (closing !== undefined) return { text: text + closing, finishReason: 'stop' };
  }
  return { text, finishReason: 'eos' };
}

function isTagOpen(text: string, closing: string): boolean {
  const opening = '<' + closing.slice(2);
  return text.lastIndexOf(opening) > text.lastIndexOf(closing);
}

/** The server's own error message from an OpenAI-style error body, when it has one. */
export function serverMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as {
      error?: { message?: unknown } | string;
      message?: unknown;
    };
    if (typeof parsed.error === 'string') return parsed.error;
    if (typeof parsed.error?.message === 'string') return parsed.error.message;
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // Not JSON: fall through to the raw text.
  }
  return body.slice(0, 300);
}

/** An HTTP error response turned into an error that says what to fix. */
export function httpError(options: {
  status: number;
  body: string;
  url: string;
  model: string;
}): UpstreamHttpError {
  const { status, url, model } = options;
  const detail = serverMessage(options.body);
  if (status === 401 || status === 403) {
    return new UpstreamHttpError(
      `${url}: authentication failed (HTTP ${status}): ${detail}. Check the API key configured for this backend.`,
      status,
    );
  }
  if (status === 404 && /model/i.test(options.body)) {
    return new UpstreamHttpError(`${url}: model "${model}" not found (HTTP 404): ${detail}`, 404);
  }
  if (status === 404) {
    return new UpstreamHttpError(
      `${url}: endpoint not found (HTTP 404); is the base URL right (it usually ends in /v1)?`,
      404,
    );
  }
  return new UpstreamHttpError(`${url}: HTTP ${status}: ${detail}`, status);
}
