import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { FastifyInstance } from 'fastify';
import { safeEqual, sessionCookie } from './auth.ts';

const UI_DIR = fileURLToPath(new URL('../ui/', import.meta.url));

/** Bundles the UI's TypeScript once (on first request) with esbuild; no build step to run. */
function createBundler(): () => Promise<string> {
  let bundle: Promise<string> | undefined;
  return () => {
    bundle ??= build({
      entryPoints: [`${UI_DIR}main.ts`],
      bundle: true,
      format: 'esm',
      target: 'es2022',
      write: false,
      sourcemap: 'inline',
      logLevel: 'silent',
    }).then((result) => result.outputFiles[0]?.text ?? '');
    bundle.catch(() => {
      bundle = undefined;
    });
    return bundle;
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Only same-site relative paths are followed after login (no open redirect). */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?!\/)[^\\]*$/.test(next) ? next : '/';
}

function loginPage(next: string, hasFailed: boolean): string {
  const message = hasFailed ? '<p class="error" id="login-error">Wrong token.</p>' : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>RAG-R1 Lab · sign in</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><link rel="stylesheet" href="/app/styles.css"></head>
<body class="login"><form method="post" action="/login" class="card login-card">
<h1>RAG-R1 Lab</h1><p>Enter the API token (<code>RAG_R1_API_TOKEN</code>).</p>${message}
<input type="hidden" name="next" value="${escapeHtml(next)}">
<label>Token <input type="password" name="token" id="token" autocomplete="current-password" autofocus required></label>
<button type="submit" id="login-submit">Sign in</button></form></body></html>`;
}

const INDEX_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>RAG-R1 Lab</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><link rel="stylesheet" href="/app/styles.css"></head>
<body><header class="top"><a href="#/runs" class="brand">RAG-R1 Lab</a><nav>
<a href="#/runs">Runs</a><a href="#/launch">Launch</a><a href="#/compare">Compare</a><a href="#/sweeps">Sweeps</a>
</nav><span id="live" class="live" title="live updates">●</span><form method="post" action="/logout"><button class="link">Sign out</button></form></header>
<main id="app"></main><script type="module" src="/app/main.js"></script></body></html>`;

/** Registers the login flow, the single-page UI shell and its bundled script and stylesheet. */
export function registerUiRoutes(app: FastifyInstance, token: string): void {
  const bundle = createBundler();
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 16_384 },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );
  app.get('/login', async (request, reply) => {
    const { next, failed } = request.query as { next?: string; failed?: string };
    return reply.type('text/html').send(loginPage(safeNext(next), failed === '1'));
  });
  app.post('/login', async (request, reply) => {
    const form = (request.body ?? {}) as { token?: unknown; next?: unknown };
    const next = safeNext(form.next);
    if (typeof form.token !== 'string' || !safeEqual(form.token, token)) {
      return reply.redirect(`/login?failed=1&next=${encodeURIComponent(next)}`, 303);
    }
    const isSecure = request.protocol === 'https';
    return reply.header('set-cookie', sessionCookie(token, isSecure)).redirect(next, 303);
  });
  app.post('/logout', async (request, reply) =>
    reply.header('set-cookie', sessionCookie(null, request.protocol === 'https')).redirect('/login', 303),
  );
  app.get('/', async (_request, reply) => reply.type('text/html').send(INDEX_HTML));
  app.get('/app/main.js', async (_request, reply) =>
    reply.type('text/javascript').header('cache-control', 'no-cache').send(await bundle()),
  );
  app.get('/app/styles.css', async (_request, reply) =>
    reply.type('text/css').send(await readFile(`${UI_DIR}styles.css`, 'utf8')),
  );
  app.get('/healthz', async () => ({ ok: true }));
}
