import Fastify from 'fastify';
import type { Env } from '../../lib/env.ts';
import { createAuthHook } from './auth.ts';
import { ChangeHub } from './events.ts';
import { registerApiRoutes } from './routes-api.ts';
import { registerUiRoutes } from './routes-ui.ts';
import type { WebServices } from './service-types.ts';

export type StartWebServerOptions = {
  /** 0 picks an ephemeral port. */
  port: number;
  host?: string;
  env: Env;
  deps?: {
    /** Defaults to the registry/Temporal/S3-backed services built from `env`. */
    services?: WebServices;
    /** How often the event hub polls the registry (ms). */
    pollIntervalMs?: number;
    /** Fastify request logging (headers and cookies are never logged). */
    isLogging?: boolean;
  };
};

export type WebServer = { url: string; close(): Promise<void> };

/**
 * Starts the web UI and JSON API. Every route except /login needs the token
 * (`env.RAG_R1_API_TOKEN`), as a Bearer header or the HttpOnly session cookie set by /login.
 */
export async function startWebServer(options: StartWebServerOptions): Promise<WebServer> {
  const { env } = options;
  const services =
    options.deps?.services ?? (await import('./services.ts')).createServices(env);
  const app = Fastify({
    logger: options.deps?.isLogging
      ? { redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'] }
      : false,
    bodyLimit: 1_048_576,
    // SSE streams are hijacked; close() must not wait for browsers to hang up.
    forceCloseConnections: true,
  });
  const hub = new ChangeHub(
    () => services.snapshot(),
    options.deps?.pollIntervalMs ?? 1000,
    (error) => app.log.warn({ err: error }, 'event poll failed'),
  );
  app.addHook('onRequest', createAuthHook(env.RAG_R1_API_TOKEN));
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'same-origin');
    return payload;
  });
  registerUiRoutes(app, env.RAG_R1_API_TOKEN);
  registerApiRoutes(app, services, hub, {
    temporalUi: env.TEMPORAL_UI_URL,
    mlflow: env.MLFLOW_TRACKING_URI,
  });
  const address = await app.listen({ port: options.port, host: options.host ?? '127.0.0.1' });
  return {
    url: address,
    close: async () => {
      hub.stop();
      await app.close();
      if (!options.deps?.services) await services.close();
    },
  };
}
