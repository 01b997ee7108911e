/// <reference lib="dom" />
/**
 * JSON calls to /api. The session cookie is HttpOnly, so scripts never see the token; the
 * browser sends the cookie, and mutating calls send JSON as the server requires.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: Array<{ path: string; message: string }> = [],
  ) {
    super(message);
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    window.location.href = `/login?next=${encodeURIComponent(window.location.pathname + window.location.hash)}`;
    throw new ApiError(401, 'signed out');
  }
  const payload = (await response.json().catch(() => ({}))) as {
    message?: string;
    errors?: Array<{ path: string; message: string }>;
  };
  if (!response.ok) throw new ApiError(response.status, payload.message ?? response.statusText, payload.errors);
  return payload as T;
}

export const api = {
  get: <T>(path: string) => call<T>('GET', path),
  post: <T>(path: string, body: unknown = {}) => call<T>('POST', path, body),
  delete: <T>(path: string) => call<T>('DELETE', path),
};
