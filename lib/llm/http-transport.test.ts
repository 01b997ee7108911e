import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpTransport, HttpTimeoutError } from './http-transport.ts';

/** Sends its headers at once, then one byte every `gapMs`, `bytes` bytes in all. */
function trickle(response: ServerResponse, gapMs: number, bytes: number): void {
  response.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(bytes) });
  let sent = 0;
  const timer = setInterval(() => {
    if (response.destroyed || sent === bytes) {
      clearInterval(timer);
      return;
    }
    response.write('x');
    sent += 1;
    if (sent === bytes) response.end();
  }, gapMs);
}

let server: Server | undefined;
const transport = createHttpTransport();

afterEach(async () => {
  server?.closeAllConnections();
  server?.close();
  server = undefined;
});

async function serve(handler: (response: ServerResponse) => void): Promise<string> {
  server = createServer((_, response) => handler(response));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe('createHttpTransport deadline', () => {
  it('times out a body that trickles past the deadline, though every gap is short', async () => {
    const url = await serve((response) => trickle(response, 30, 1000));
    const started = performance.now();
    const error = await transport
      .request({ url, method: 'GET', headers: {}, timeoutMs: 300 })
      .catch((caught: unknown) => caught);
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(HttpTimeoutError);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    // 1,000 bytes at one per 30 ms would take 30 s: the deadline, not the body, ended it.
    expect(elapsed).toBeLessThan(5000);
  });

  it('times out a server that never sends its headers', async () => {
    const url = await serve(() => undefined);
    const started = performance.now();
    const error = await transport
      .request({ url, method: 'GET', headers: {}, timeoutMs: 200 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HttpTimeoutError);
    // undici checks header deadlines on a coarse (~0.5 s) clock; bounded, not exact.
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('returns a trickled body that completes within the deadline', async () => {
    const url = await serve((response) => trickle(response, 10, 5));
    const response = await transport.request({ url, method: 'GET', headers: {}, timeoutMs: 2000 });
    expect(response).toEqual({ status: 200, text: 'xxxxx' });
  });
});
