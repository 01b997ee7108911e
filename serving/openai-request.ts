/**
 * Request bodies of `/v1/completions` and `/v1/chat/completions`. A parameter this server
 * cannot honour is refused with a 400 naming it, never silently dropped: an ignored `logprobs`,
 * `tools` or penalty would hand the client different results from the ones it asked for.
 */
import { z } from 'zod';

/** The OpenAI error body's fields for a 400. */
export interface RequestError {
  message: string;
  param: string;
  code: 'invalid_request' | 'unsupported_parameter' | 'unknown_parameter';
}

export type Parsed<T> = { ok: true; body: T } | { ok: false; error: RequestError };

/** The most choices one request may ask for (OpenAI's own limit). */
export const MAX_CHOICES = 128;

const SamplingFields = {
  model: z.string(),
  max_tokens: z.number().int().positive().default(256),
  temperature: z.number().min(0).default(1),
  top_p: z.number().gt(0).max(1).default(1),
  stop: z.union([z.string(), z.array(z.string())]).optional(),
  seed: z.number().int().optional(),
  n: z.number().int().min(1).max(MAX_CHOICES).default(1),
  stream: z.boolean().default(false),
  stream_options: z
    .object({ include_usage: z.boolean().default(false) })
    .strict()
    .optional(),
  /** vLLM: keep the matched stop string in the returned text. */
  include_stop_str_in_output: z.boolean().default(false),
};

const CompletionBodySchema = z
  .object({ ...SamplingFields, prompt: z.union([z.string(), z.array(z.string()).length(1)]) })
  .strict();
export type CompletionBody = z.infer<typeof CompletionBodySchema>;

const ChatBodySchema = z
  .object({
    ...SamplingFields,
    max_completion_tokens: z.number().int().positive().optional(),
    messages: z
      .array(z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() }))
      .min(1),
    continue_final_message: z.boolean().default(false),
    add_generation_prompt: z.boolean().default(true),
  })
  .strict();
export type ChatBody = z.infer<typeof ChatBodySchema>;

export type SamplingBody = Omit<CompletionBody, 'prompt'>;

/** Parameters that identify or route a request; ignoring them changes no generated text. */
const IGNORED = new Set([
  'user',
  'metadata',
  'store',
  'service_tier',
  'parallel_tool_calls',
  'safety_identifier',
  'prompt_cache_key',
]);

const isEmptyArray = (value: unknown): boolean => Array.isArray(value) && value.length === 0;
const isEmptyObject = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && Object.keys(value).length === 0;
const equals =
  (...allowed: unknown[]) =>
  (value: unknown): boolean =>
    allowed.includes(value);

/**
 * Parameters accepted only at the value that asks for nothing (and what that is, for the
 * error). Any other value, and every parameter listed as `null` here, gets a 400.
 */
const NEUTRAL: Record<string, { isNeutral: (value: unknown) => boolean; hint: string } | null> = {
  logprobs: { isNeutral: equals(false), hint: 'false' },
  top_logprobs: { isNeutral: equals(0), hint: '0' },
  frequency_penalty: { isNeutral: equals(0), hint: '0' },
  presence_penalty: { isNeutral: equals(0), hint: '0' },
  repetition_penalty: { isNeutral: equals(1), hint: '1' },
  logit_bias: { isNeutral: isEmptyObject, hint: '{}' },
  tools: { isNeutral: isEmptyArray, hint: '[]' },
  functions: { isNeutral: isEmptyArray, hint: '[]' },
  tool_choice: { isNeutral: equals('none', 'auto'), hint: '"none" (no tools)' },
  function_call: { isNeutral: equals('none', 'auto'), hint: '"none" (no functions)' },
  response_format: {
    isNeutral: (value) =>
      isEmptyObject(value) || equals('text')((value as { type?: unknown })?.type),
    hint: '{"type": "text"}',
  },
  echo: { isNeutral: equals(false), hint: 'false' },
  suffix: { isNeutral: equals(''), hint: '""' },
  top_k: { isNeutral: equals(0, -1), hint: '-1 or 0' },
  min_p: { isNeutral: equals(0), hint: '0' },
  min_tokens: { isNeutral: equals(0), hint: '0' },
  ignore_eos: { isNeutral: equals(false), hint: 'false' },
  skip_special_tokens: { isNeutral: equals(true), hint: 'true' },
  modalities: {
    isNeutral: (value) => Array.isArray(value) && value.length === 1 && value[0] === 'text',
    hint: '["text"]',
  },
  best_of: { isNeutral: equals(1), hint: '1' },
  audio: null,
  prediction: null,
  reasoning_effort: null,
  verbosity: null,
  web_search_options: null,
};

/** Parses a `/v1/completions` body. */
export function parseCompletionBody(raw: unknown): Parsed<CompletionBody> {
  const screened = screen(raw, CompletionBodySchema.shape);
  if (!screened.ok) return screened;
  return validate(CompletionBodySchema, screened.body);
}

/** Parses a `/v1/chat/completions` body; `max_completion_tokens` stands for `max_tokens`. */
export function parseChatBody(raw: unknown): Parsed<ChatBody> {
  const screened = screen(raw, ChatBodySchema.shape);
  if (!screened.ok) return screened;
  const parsed = validate(ChatBodySchema, screened.body);
  if (!parsed.ok) return parsed;
  const { max_completion_tokens: limit, ...body } = parsed.body;
  const given = (screened.body as { max_tokens?: unknown }).max_tokens;
  if (limit !== undefined && given !== undefined && given !== limit) {
    return {
      ok: false,
      error: {
        message: 'max_completion_tokens and max_tokens disagree; send one of them',
        param: 'max_completion_tokens',
        code: 'invalid_request',
      },
    };
  }
  return { ok: true, body: limit === undefined ? body : { ...body, max_tokens: limit } };
}

/**
 * Drops null values (OpenAI's "not given") and the ignorable and neutral parameters; refuses
 * the rest of what the schema does not know, naming the parameter.
 */
function screen(raw: unknown, known: object): Parsed<Record<string, unknown>> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    const message = 'the request body must be a JSON object';
    return { ok: false, error: { message, param: 'body', code: 'invalid_request' } };
  }
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === null || IGNORED.has(key)) continue;
    if (Object.hasOwn(known, key)) {
      kept[key] = value;
      continue;
    }
    if (!Object.hasOwn(NEUTRAL, key)) {
      const message = `Unrecognized request argument supplied: ${key}`;
      return { ok: false, error: { message, param: key, code: 'unknown_parameter' } };
    }
    const neutral = NEUTRAL[key];
    if (neutral?.isNeutral(value)) continue;
    const accepted = neutral ? ` (only ${neutral.hint} is accepted)` : '';
    const message = `Unsupported parameter: '${key}' is not supported by this server${accepted}`;
    return { ok: false, error: { message, param: key, code: 'unsupported_parameter' } };
  }
  return { ok: true, body: kept };
}

function validate<T extends SamplingBody>(schema: z.ZodType<T>, body: unknown): Parsed<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success && parsed.data.stream_options && !parsed.data.stream) {
    const message = "The 'stream_options' parameter is only allowed when 'stream' is true";
    return { ok: false, error: { message, param: 'stream_options', code: 'invalid_request' } };
  }
  if (parsed.success) return { ok: true, body: parsed.data };
  const issue = parsed.error.issues[0];
  const path = issue?.path.join('.') || 'body';
  return {
    ok: false,
    error: {
      message: `${path}: ${issue?.message}`,
      param: String(issue?.path[0] ?? 'body'),
      code: 'invalid_request',
    },
  };
}
