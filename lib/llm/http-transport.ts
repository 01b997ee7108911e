/**
 * A lean HTTP/1.1 client on node:http with keep-alive sockets. The rollout bench showed
 * `fetch` (undici's WHATWG layer: streams, transferable signals) costing several times more
 * CPU per request than the request itself, which matters with thousands of rollouts in flight.
 */
import http from 'node:http';
import https from 'node:https';

export interface HttpResponseText {
  status: number;
  text: string;
}

export interface HttpTransport {
  request(options: {
    url: string;
    method: 'GET' | 'POST';
    headers: Record<string, string>;
    body?: string;
    signal: AbortSignal;
  }): Promise<HttpResponseText>;
  close(): void;
}

/** Keep-alive agents with no socket cap: the caller's concurrency bound is the cap. */
export function createHttpTransport(): HttpTransport {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY }),
  };
  return {
    request: ({ url, method, headers, body, signal }) =>
      new Promise((resolve, reject) => {
        const target = new URL(url);
        const module = target.protocol === 'https:' ? https : http;
        const agent = target.protocol === 'https:' ? agents['https:'] : agents['http:'];
        const outgoing = { ...headers };
        if (body !== undefined) outgoing['content-length'] = String(Buffer.byteLength(body));
        const request = module.request(
          target,
          { method, headers: outgoing, agent, signal },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () =>
              resolve({
                status: response.statusCode ?? 0,
                text: Buffer.concat(chunks).toString('utf8'),
              }),
            );
            response.on('error', reject);
          },
        );
        request.on('error', reject);
        request.end(body);
      }),
    close: () => {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}
