/**
 * A lean HTTP/1.1 client on node:http with keep-alive sockets. The rollout bench showed
 * `fetch` (undici's WHATWG layer: streams, transferable signals) costing several times more
 * CPU per request than the request itself, which matters with thousands of rollouts in flight.
 */
import http from 'node:http';
import https from 'node:https';
import { urlToHttpOptions } from 'node:url';
import { abortReason } from './abortable-sleep.ts';

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
  body?: string;
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
  isHttps: boolean;
  options: http.RequestOptions;
}

/**
 * Keep-alive agents with no socket cap: the caller's concurrency bound is the cap. Idle
 * sockets are kept up to that bound too: Node's default of 256 free sockets closed the rest
 * after every burst, so each turn of 1,000 concurrent rollouts opened ~750 new connections.
 */
const POOL_OPTIONS = {
  keepAlive: true,
  maxSockets: Number.POSITIVE_INFINITY,
  maxFreeSockets: Number.POSITIVE_INFINITY,
};

export function createHttpTransport(): HttpTransport {
  const agents = { http: new http.Agent(POOL_OPTIONS), https: new https.Agent(POOL_OPTIONS) };
  // A backend talks to a handful of URLs; parsing each once saves a URL parse per request.
  const targets = new Map<string, Target>();
  const targetOf = (url: string): Target => {
    let target = targets.get(url);
    if (target === undefined) {
      const parsed = new URL(url);
      const isHttps = parsed.protocol === 'https:';
      const agent = isHttps ? agents.https : agents.http;
      target = { isHttps, options: { ...urlToHttpOptions(parsed), agent } };
      targets.set(url, target);
    }
    return target;
  };
  return {
    request: (options) => send(targetOf(options.url), options),
    close: () => {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

/**
 * One exchange. Cancellation and the deadline destroy the request directly instead of going
 * through a per-request AbortController: with a thousand requests in flight, creating and
 * wiring those signals was a measurable share of the client's CPU.
 */
function send(target: Target, options: HttpRequestOptions): Promise<HttpResponseText> {
  const { signal, body } = options;
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  return new Promise((resolve, reject) => {
    const headers = { ...options.headers };
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const module = target.isHttps ? https : http;
    const request = module.request({ ...target.options, method: options.method, headers });
    let isTimedOut = false;
    let isSettled = false;
    const onAbort = (): void => {
      request.destroy();
    };
    const timer = setTimeout(() => {
      isTimedOut = true;
      request.destroy();
    }, options.timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = (): boolean => {
      if (isSettled) return false;
      isSettled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const fail = (error: unknown): void => {
      if (!settle()) return;
      if (signal?.aborted) reject(abortReason(signal));
      else if (isTimedOut) reject(new HttpTimeoutError(options.timeoutMs));
      else reject(error instanceof Error ? error : new Error(String(error)));
    };
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        if (!settle()) return;
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
      });
      response.on('error', fail);
      response.on('aborted', () => fail(new Error('response aborted')));
    });
    request.on('error', fail);
    request.end(body);
  });
}
