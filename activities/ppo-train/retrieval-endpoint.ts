import type { Retriever } from '../../lib/retrieval/types.ts';
import { createRetrievalService } from '../../retriever/service.ts';

/**
 * A Search-R1 `/retrieve` endpoint on an ephemeral loopback port for the trainer's rollouts,
 * living exactly as long as the stage attempt that serves it.
 */
export async function startRetrievalEndpoint(
  retriever: Retriever,
): Promise<{ url: string; close(): Promise<void> }> {
  const app = createRetrievalService({ retriever, limits: { maxQueued: 1024 } });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url: `${address}/retrieve`, close: () => app.close() };
}
