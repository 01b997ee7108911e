import { describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '../../lib/errors.ts';
import { describeDatabaseUrl, toDatabaseConnectionError } from './connection-error.ts';

const URL = 'postgresql://raglab:s3cret@db.internal:6543/registry?sslmode=require';

function withCode(code: string, message = 'boom'): Error {
  return Object.assign(new Error(message), { code });
}

describe('describeDatabaseUrl', () => {
  it('gives host:port/database without credentials', () => {
    expect(describeDatabaseUrl(URL)).toBe('db.internal:6543/registry');
    expect(describeDatabaseUrl('postgresql://u:p@h/db')).toBe('h:5432/db');
  });

  it('does not echo an unparseable URL (it may hold a password)', () => {
    expect(describeDatabaseUrl('not a url s3cret')).not.toContain('s3cret');
  });
});

describe('toDatabaseConnectionError', () => {
  it('names DATABASE_URL and host:port for an unreachable server', () => {
    const wrapped = toDatabaseConnectionError(withCode('ECONNREFUSED'), URL);
    expect(wrapped).toBeInstanceOf(ServiceUnavailableError);
    expect((wrapped as Error).message).toContain('DATABASE_URL=db.internal:6543/registry');
    expect((wrapped as Error).message).not.toContain('s3cret');
  });

  it('explains authentication and missing-database failures', () => {
    const auth = toDatabaseConnectionError(withCode('28P01'), URL) as Error;
    expect(auth).toBeInstanceOf(ServiceUnavailableError);
    expect(auth.message).toMatch(/password authentication failed.*DATABASE_URL/);
    const missing = toDatabaseConnectionError(withCode('3D000'), URL) as Error;
    expect(missing.message).toContain('does not exist');
  });

  it('leaves query errors alone', () => {
    const unique = withCode('23505', 'duplicate key');
    expect(toDatabaseConnectionError(unique, URL)).toBe(unique);
    const plain = new Error('no code');
    expect(toDatabaseConnectionError(plain, URL)).toBe(plain);
  });
});
