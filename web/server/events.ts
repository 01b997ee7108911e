import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ChangeEvent } from './types.ts';

type Listener = (events: ChangeEvent[]) => void;

/**
 * Polls the services' snapshot (one cheap registry query) and pushes the keys whose version
 * changed to every connected browser. Polling is started by the first subscriber and stopped
 * by the last, so an idle server does not query Postgres.
 */
export class ChangeHub {
  private readonly listeners = new Set<Listener>();
  private versions = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private isPolling = false;
  private hasBaseline = false;

  constructor(
    private readonly snapshot: () => Promise<Record<string, string>>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (!this.timer) {
      void this.poll();
      this.timer = setInterval(() => void this.poll(), this.intervalMs);
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.versions = new Map();
    this.hasBaseline = false;
  }

  private async poll(): Promise<void> {
    if (this.isPolling) return;
    this.isPolling = true;
    try {
      const next = await this.snapshot();
      const changed: ChangeEvent[] = [];
      for (const [key, version] of Object.entries(next)) {
        if (this.versions.get(key) !== version) changed.push({ key, version });
      }
      this.versions = new Map(Object.entries(next));
      const hadBaseline = this.hasBaseline;
      this.hasBaseline = true;
      if (changed.length > 0 && hadBaseline) {
        for (const listener of this.listeners) listener(changed);
      }
    } catch (error) {
      this.onError(error);
    } finally {
      this.isPolling = false;
    }
  }
}

/** Serves one server-sent-events stream: change events plus a comment heartbeat every 15 s. */
export function serveEvents(hub: ChangeHub, request: FastifyRequest, reply: FastifyReply): void {
  reply.hijack();
  const response = reply.raw;
  response.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  response.write('retry: 2000\n\n');
  response.write(`event: hello\ndata: {}\n\n`);
  const unsubscribe = hub.subscribe((events) => {
    response.write(`event: change\ndata: ${JSON.stringify(events)}\n\n`);
  });
  const heartbeat = setInterval(() => response.write(': ping\n\n'), 15_000);
  request.raw.on('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
  });
}
