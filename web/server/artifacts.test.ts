import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv } from '../../lib/env.ts';
import { startWebServer, type WebServer } from './main.ts';
import { MemoryServices } from './testing/memory-services.ts';
import { rawRequest } from './testing/raw-request.ts';

const TOKEN = 'artifact-test-token';
const services = new MemoryServices();
const sha256 = services.addArtifact('hello artifact');
let server: WebServer;

beforeAll(async () => {
  const env = loadEnv({ RAG_R1_API_TOKEN: TOKEN });
  server = await startWebServer({ port: 0, env, deps: { services } });
});
afterAll(async () => server.close());

const headers = { authorization: `Bearer ${TOKEN}` };

describe('artifact download', () => {
  it('streams a registered artifact as an attachment', async () => {
    const response = await rawRequest({ url: server.url, path: `/api/artifacts/${sha256}`, headers });
    expect(response.status).toBe(200);
    expect(response.body).toBe('hello artifact');
    expect(response.headers['content-disposition']).toContain('attachment');
  });

  it('answers 404 for a well-formed but unknown hash', async () => {
    const response = await rawRequest({
      url: server.url,
      path: `/api/artifacts/${'0'.repeat(64)}`,
      headers,
    });
    expect(response.status).toBe(404);
  });

  it.each([
    '/api/artifacts/..%2f..%2fsecrets',
    '/api/artifacts/%2e%2e%2fartifacts%2f' + 'a'.repeat(64),
    '/api/artifacts/%252e%252e%252f' + 'a'.repeat(55),
    '/api/artifacts/..%5c..%5cconfig',
    `/api/artifacts/${'a'.repeat(63)}%00`,
    `/api/artifacts/${'A'.repeat(64)}`,
    `/api/artifacts/${'a'.repeat(64)}%2f..`,
    `/api/artifacts/${'a'.repeat(65)}`,
    '/api/artifacts/../../etc/passwd',
    '/api/artifacts/%2Fetc%2Fpasswd',
  ])('refuses %s without touching the store', async (path) => {
    const before = services.calls.filter((call) => call.startsWith('openArtifact')).length;
    const response = await rawRequest({ url: server.url, path, headers });
    expect([400, 404]).toContain(response.status);
    expect(response.body).not.toContain('root:');
    const after = services.calls.filter((call) => call.startsWith('openArtifact')).length;
    expect(after).toBe(before);
  });

  it('needs the token', async () => {
    const response = await rawRequest({ url: server.url, path: `/api/artifacts/${sha256}` });
    expect(response.status).toBe(401);
  });
});
