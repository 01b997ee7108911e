import { ServiceUnavailableError } from '../../lib/errors.ts';
import { UNREACHABLE_SOCKET_CODES } from '../unreachable-codes.ts';

/** PostgreSQL SQLSTATEs that mean "this URL does not get you a session", with a hint each. */
const SESSION_FAILURES: Record<string, string> = {
  '28P01': 'password authentication failed; check the user and password in DATABASE_URL',
  '28000': 'the server rejected the login; check the user in DATABASE_URL and pg_hba.conf',
  '3D000': 'the database does not exist; create it or run `npm run stack -- up`',
  '57P03': 'the server is starting up or shutting down; retry shortly',
  '53300': 'the server has too many connections',
};

/** `host:port/database` of a postgres URL, without credentials, for error messages and logs. */
export function describeDatabaseUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    const port = url.port || '5432';
    return `${url.hostname}:${port}${url.pathname}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Turns a failure to open a session into a `ServiceUnavailableError` that names DATABASE_URL
 * and where it points; any other error (a failing query) is returned unchanged.
 */
export function toDatabaseConnectionError(error: unknown, databaseUrl: string): unknown {
  if (error instanceof ServiceUnavailableError) return error;
  const code = errorCode(error);
  if (code === undefined) return error;
  const where = describeDatabaseUrl(databaseUrl);
  const detail = error instanceof Error ? error.message : String(error);
  if (UNREACHABLE_SOCKET_CODES.has(code)) {
    return new ServiceUnavailableError(
      `cannot reach PostgreSQL at DATABASE_URL=${where} (${code}: ${detail}); ` +
        'is the stack up (`npm run stack -- up`) and DATABASE_URL right?',
    );
  }
  const hint = SESSION_FAILURES[code];
  if (hint !== undefined) {
    return new ServiceUnavailableError(
      `cannot open a session on PostgreSQL at DATABASE_URL=${where}: ${hint} (${code}: ${detail})`,
    );
  }
  return error;
}
