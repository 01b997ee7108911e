import { Client, Connection } from '@temporalio/client';
import type { Env } from '../../lib/env.ts';
import { ServiceUnavailableError } from '../../lib/errors.ts';

/** A Temporal client for the configured namespace; an unreachable server names TEMPORAL_ADDRESS. */
export async function connectTemporal(env: Env): Promise<Client> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS, connectTimeout: 5_000 });
  } catch (error) {
    throw new ServiceUnavailableError(
      `Temporal at TEMPORAL_ADDRESS=${env.TEMPORAL_ADDRESS} is unreachable (${(error as Error).message}); start it with \`rag-r1 stack up\``,
    );
  }
  return new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
}
