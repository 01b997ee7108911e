import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../prisma/generated/client.ts';
import { loadEnv } from '../../lib/env.ts';
import { ServiceUnavailableError } from '../../lib/errors.ts';
import { toDatabaseConnectionError } from './connection-error.ts';

export type { PrismaClient } from '../../prisma/generated/client.ts';

type ConnectCallback = (
  error: Error | undefined,
  client?: pg.PoolClient,
  done?: () => void,
) => void;

/**
 * A pg pool whose connection failures name DATABASE_URL. Prisma's pg adapter passes non-pg errors
 * through untouched, so the wrapped error reaches the caller of any Prisma query as-is.
 */
export class DatabasePool extends pg.Pool {
  /** The last connection failure, kept because Prisma re-wraps errors that carry a `code`. */
  lastConnectionError: ServiceUnavailableError | undefined;

  constructor(readonly databaseUrl: string) {
    super({ connectionString: databaseUrl });
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    const wrap = (error: unknown): unknown => {
      const wrapped = toDatabaseConnectionError(error, this.databaseUrl);
      if (wrapped instanceof ServiceUnavailableError) this.lastConnectionError = wrapped;
      return wrapped;
    };
    if (callback) {
      super.connect((error, client, done) =>
        callback(error ? (wrap(error) as Error) : undefined, client, done),
      );
      return;
    }
    return super.connect().catch((error: unknown) => {
      throw wrap(error);
    });
  }
}

/**
 * The run-registry client over `@prisma/adapter-pg` (Prisma 7 has no native query engine).
 * Connects lazily; an unreachable server fails the first query with a `ServiceUnavailableError`
 * naming DATABASE_URL. Call `$disconnect()` when done.
 */
export function createDb(databaseUrl: string = loadEnv().DATABASE_URL): PrismaClient {
  const pool = new DatabasePool(databaseUrl);
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  // Prisma turns any adapter error with a `code` into PrismaClientKnownRequestError; hand the
  // caller our ServiceUnavailableError back so `instanceof` and Temporal failure types work.
  const extended = client.$extends({
    query: {
      async $allOperations({ args, query }) {
        try {
          return await query(args);
        } catch (error) {
          throw unwrapConnectionError(error, pool);
        }
      },
    },
  });
  return extended as unknown as PrismaClient;
}

function unwrapConnectionError(error: unknown, pool: DatabasePool): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SERVICE_UNAVAILABLE' && pool.lastConnectionError
    ? pool.lastConnectionError
    : error;
}

/** Opens one plain pg client (migrations, admin statements); failures name DATABASE_URL. */
export async function connectPg(databaseUrl: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw toDatabaseConnectionError(error, databaseUrl);
  }
  return client;
}
