import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Name of the HttpOnly session cookie; it holds a value derived from the token, not the token. */
export const SESSION_COOKIE = 'rag_r1_session';

/** Paths reachable without a token: the login page and its form post. */
const PUBLIC_PATHS = new Set(['/login', '/favicon.ico', '/healthz', '/app/styles.css']);

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Constant-time string comparison (hashing first equalizes the lengths). */
export function safeEqual(left: string, right: string): boolean {
  return timingSafeEqual(digest(left), digest(right));
}

/**
 * The cookie value for a token. Deriving it means a leaked cookie cannot be replayed as a
 * Bearer token against the API from another client, and the raw token never reaches the browser.
 */
export function sessionValue(token: string): string {
  return createHmac('sha256', token).update('rag-r1-web-session-v1').digest('base64url');
}

/** Parses a Cookie header into name/value pairs (no dependency needed for one cookie). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index <= 0) continue;
    const name = part.slice(0, index).trim();
    const raw = part.slice(index + 1).trim();
    try {
      cookies.set(name, decodeURIComponent(raw));
    } catch {
      cookies.set(name, raw);
    }
  }
  return cookies;
}

/** Builds the Set-Cookie header of a session (empty token clears it). */
export function sessionCookie(token: string | null, isSecure: boolean): string {
  const value = token === null ? '' : sessionValue(token);
  const attributes = ['Path=/', 'HttpOnly', 'SameSite=Strict'];
  if (isSecure) attributes.push('Secure');
  if (token === null) attributes.push('Max-Age=0');
  else attributes.push('Max-Age=2592000');
  return `${SESSION_COOKIE}=${value}; ${attributes.join('; ')}`;
}

/** True when the request carries the token as a Bearer header or a valid session cookie. */
export function isAuthenticated(request: FastifyRequest, token: string): boolean {
  const header = request.headers.authorization;
  if (typeof header === 'string' && header.startsWith('Bearer ')) {
    return safeEqual(header.slice('Bearer '.length).trim(), token);
  }
  const cookie = parseCookies(request.headers.cookie).get(SESSION_COOKIE);
  return cookie !== undefined && safeEqual(cookie, sessionValue(token));
}

/** Methods a cross-site HTML form or simple request can send a body with (DELETE needs CORS). */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Fastify onRequest hook: the API answers 401 without the token; UI pages redirect to /login.
 * A cookie-authenticated mutating API call must also send JSON, which a cross-site form cannot,
 * on top of SameSite=Strict.
 */
export function createAuthHook(token: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const path = request.url.split('?')[0] ?? '/';
    if (PUBLIC_PATHS.has(path)) return;
    const isApi = path.startsWith('/api/') || path === '/api';
    if (!isAuthenticated(request, token)) {
      if (isApi) {
        await reply.code(401).send({ error: 'UNAUTHORIZED', message: 'missing or bad API token' });
      } else {
        await reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
      }
      return;
    }
    const usesCookie = !request.headers.authorization;
    if (isApi && usesCookie && BODY_METHODS.has(request.method)) {
      const contentType = request.headers['content-type'] ?? '';
      if (!contentType.startsWith('application/json')) {
        await reply.code(415).send({ error: 'UNSUPPORTED', message: 'send application/json' });
      }
    }
  };
}
