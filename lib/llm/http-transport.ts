/**
 * A lean HTTP/1.1 client with keep-alive sockets, on undici's dispatcher API. Thousands of
 * rollouts in flight make the client's CPU per request part of every turn's latency: `fetch`
 * (undici's WHATWG layer: streams, transferable signals) cost several times the request itself,
 * and node:http a third more than undici's `request` (driver CPU per rollout-turn in the bench:
 * 558 vs 422 µs, bench/rollout/README.md).
 */
import { Agent, errors, type Dispatcher } from 'undici';

export interface HttpResponseText {
  status: number;
  text: string;
}

/** The request got no complete response within its `timeoutMs`. */
export class HttpTimeoutError extends Error {
  override readonly name = 'HttpTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`no response within ${timeoutMs} ms`);
  }
}

export interface HttpRequestOptions {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** Cancels the request; it then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** The whole exchange's deadline; past it the request rejects with HttpTimeoutError. */
  timeoutMs: number;
}

export interface HttpTransport {
  request(options: HttpRequestOptions): Promise<HttpResponseText>;
  close(): void;
}

interface Target {
  origin: string;
  path: string;
}

/**
 * No cap on sockets per origin (the caller's concurrency bound is the cap) and idle sockets
 * kept for a minute unless the server's Keep-Alive hint says less: with Node's http agent,
 * its 256 free sockets closed the rest after every burst, so each turn of 1,000 concurrent
 * rollouts opened ~750 new connections.
 */
const AGENT_OPTIONS: Agent.Options = {
  connections: null,
  pipelining: 1,
  keepAliveTimeout: 60_000,
  keepAliveMaxTimeout: 600_000,
};

export function createHttpTransport(): HttpTransport {
  const agent = new Agent(AGENT_OPTIONS);
  // A backend talks to a handful of URLs; parsing each once saves a URL parse per request.
  const targets = new Map<string, Target>();
  const targetOf = (url: string): Target => {
    let target = targets.get(url);
    if (target === undefined) {
      const parsed = new URL(url);
      target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
      targets.set(url, target);
    }
    return target;
  };
  return {
    request: (options) => send(agent, targetOf(options.url), options),
    close: () => void agent.destroy().catch(() => undefined),
  };
}

async function send(
  agent: Agent,
  target: Target,
  options: HttpRequestOptions,
): Promise<HttpResponseText> {
  const { signal, body, timeoutMs } = options;
  const request: Dispatcher.RequestOptions = {
    origin: target.origin,
    path: target.path,
    method: options.method,
    headers: options.headers,
    headersTimeout: timeoutMs,
    ...(body === undefined ? {} : { body }),
    ...(signal ? { signal } : {}),
  };
  const started = performance.now();
  let response: Dispatcher.ResponseData;
  try {
    response = await agent.request(request);
  } catch (error) {
    if (error instanceof errors.HeadersTimeoutError) throw new HttpTimeoutError(timeoutMs);
    throw error;
  }
  // The body gets what is left of the same deadline, so the whole exchange stays bounded.
  const stream = response.body;
  const remainingMs = Math.max(1, timeoutMs - (performance.now() - started));
  const timer = setTimeout(() => stream.destroy(new HttpTimeoutError(timeoutMs)), remainingMs);
  try {
    return { status: response.statusCode, text: await stream.text() };
  } finally {
    clearTimeout(timer);
  }
}
