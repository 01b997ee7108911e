import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv } from '../../lib/env.ts';
import { SESSION_COOKIE, parseCookies, sessionValue } from './auth.ts';
import { startWebServer, type WebServer } from './main.ts';
import { MemoryServices } from './testing/memory-services.ts';
import { rawRequest } from './testing/raw-request.ts';

const TOKEN = 'test-token-4f1c';
const env = loadEnv({ RAG_R1_API_TOKEN: TOKEN });
const services = new MemoryServices();
let server: WebServer;

beforeAll(async () => {
  server = await startWebServer({ port: 0, env, deps: { services } });
});
afterAll(async () => server.close());

const json = { 'content-type': 'application/json' };
const bearer = { authorization: `Bearer ${TOKEN}` };

describe('API token', () => {
  it.each([
    ['POST', '/api/runs', '{"recipe":"demo"}'],
    ['POST', '/api/runs/run-1/cancel', '{}'],
    ['POST', '/api/runs/run-1/resume', '{}'],
    ['POST', '/api/sweeps', '{}'],
    ['POST', '/api/sweeps/s1/trigger', '{}'],
    ['DELETE', '/api/sweeps/s1', undefined],
    ['POST', '/api/compare', '{"runIds":["a","b"]}'],
    ['GET', '/api/runs', undefined],
  ])('refuses %s %s without a token and never calls the services', async (method, path, body) => {
    const before = services.calls.length;
    const response = await rawRequest({ url: server.url, path, method, headers: json, body });
    expect(response.status).toBe(401);
    expect(services.calls.length).toBe(before);
  });

  it('refuses a wrong Bearer token and a forged cookie', async () => {
    const wrong = await rawRequest({
      url: server.url,
      path: '/api/runs',
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);
    const forged = await rawRequest({
      url: server.url,
      path: '/api/runs',
      headers: { cookie: `${SESSION_COOKIE}=${TOKEN}` },
    });
    expect(forged.status).toBe(401);
  });

  it('accepts the Bearer token for a mutating call', async () => {
    const response = await rawRequest({
      url: server.url,
      path: '/api/runs',
      method: 'POST',
      headers: { ...json, ...bearer },
      body: JSON.stringify({ recipe: 'demo', preset: 'tiny', config: { steps: 2 } }),
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ runId: expect.any(String) });
  });
});

describe('UI login', () => {
  it('redirects pages to /login without a session', async () => {
    const response = await rawRequest({ url: server.url, path: '/' });
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/login?next=%2F');
  });

  it('refuses a wrong token at login', async () => {
    const response = await rawRequest({
      url: server.url,
      path: '/login',
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'token=wrong&next=%2F',
    });
    expect(response.headers.location).toContain('/login?failed=1');
    expect(response.headers['set-cookie']).toBeUndefined();
  });

  it('sets an HttpOnly cookie that is not the token and opens the UI with it', async () => {
    const login = await rawRequest({
      url: server.url,
      path: '/login',
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${TOKEN}&next=%2F%2Fevil.example`,
    });
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/');
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).not.toContain(TOKEN);
    const cookie = parseCookies(setCookie.split(';')[0]).get(SESSION_COOKIE);
    expect(cookie).toBe(sessionValue(TOKEN));
    const page = await rawRequest({
      url: server.url,
      path: '/',
      headers: { cookie: `${SESSION_COOKIE}=${cookie}` },
    });
    expect(page.status).toBe(200);
    expect(page.body).toContain('/app/main.js');
    expect(page.body).not.toContain(TOKEN);
  });

  it('lets the signed-in UI delete (no body) with its cookie', async () => {
    const sweep = await services.createSweep({ name: 'cookie-delete', cron: '0 3 * * *', runIds: ['r1'], datasets: ['nq'] });
    const response = await rawRequest({
      url: server.url,
      path: `/api/sweeps/${sweep.id}`,
      method: 'DELETE',
      headers: { cookie: `${SESSION_COOKIE}=${sessionValue(TOKEN)}` },
    });
    expect(response.status).toBe(200);
    expect(services.sweeps.has(sweep.id)).toBe(false);
  });

  it('refuses a cookie-authenticated mutating call that is not JSON (cross-site form)', async () => {
    const response = await rawRequest({
      url: server.url,
      path: '/api/runs',
      method: 'POST',
      headers: {
        cookie: `${SESSION_COOKIE}=${sessionValue(TOKEN)}`,
        'content-type': 'text/plain',
      },
      body: '{"recipe":"demo"}',
    });
    expect(response.status).toBe(415);
  });
});
