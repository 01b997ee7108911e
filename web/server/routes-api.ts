import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { LabError, type LabErrorCode } from '../../lib/errors.ts';
import type { ChangeHub } from './events.ts';
import { serveEvents } from './events.ts';
import { redactSecrets } from './redact.ts';
import type { WebServices } from './service-types.ts';
import {
  CompareRequestSchema,
  LaunchRequestSchema,
  RunFilterSchema,
  SweepCreateSchema,
  TrajectoryRequestSchema,
} from './types.ts';

/** An artifact id is exactly a lowercase sha256; anything else (`..`, `/`, `%2e`) is refused. */
export const SHA256_PATTERN = /^[0-9a-f]{64}$/;

const HTTP_STATUS: Partial<Record<LabErrorCode, number>> = {
  NOT_FOUND: 404,
  ARTIFACT_MISSING: 404,
  CONFIG_INVALID: 400,
  DATA_INVALID: 400,
  SERVICE_UNAVAILABLE: 503,
};

/** Maps errors to HTTP answers: bad input 400 naming the field, unknown id 404, else 500. */
function sendError(reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof z.ZodError) {
    const errors = error.issues.map((issue) => ({
      path: issue.path.join('.') || '(body)',
      message: issue.message,
    }));
    const first = errors[0];
    return reply.code(400).send({
      error: 'INVALID_REQUEST',
      message: first ? `${first.path}: ${first.message}` : 'invalid request',
      errors,
    });
  }
  if (error instanceof LabError) {
    const status = HTTP_STATUS[error.code] ?? 502;
    return reply.code(status).send({ error: error.code, message: error.message });
  }
  reply.log.error({ err: error }, 'web api failure');
  return reply.code(500).send({ error: 'INTERNAL', message: 'internal error (see server log)' });
}

type Handler = (input: { params: Record<string, string>; query: unknown; body: unknown }) =>
  Promise<unknown>;

/** Registers a JSON route whose handler's errors are mapped by `sendError`. */
function route(app: FastifyInstance, method: 'GET' | 'POST' | 'DELETE', url: string, handler: Handler) {
  app.route({
    method,
    url,
    handler: async (request, reply) => {
      try {
        const result = await handler({
          params: request.params as Record<string, string>,
          query: request.query,
          body: request.body,
        });
        return reply.send(redactSecrets(result ?? { ok: true }));
      } catch (error) {
        return sendError(reply, error);
      }
    },
  });
}

const IdParam = z.object({ id: z.string().min(1).max(200) });

/** Registers /api/*: runs, launch, compare, trajectories, sweeps, artifacts and events. */
export function registerApiRoutes(
  app: FastifyInstance,
  services: WebServices,
  hub: ChangeHub,
  links: { temporalUi: string; mlflow: string },
): void {
  route(app, 'GET', '/api/info', async () => ({ links }));
  route(app, 'GET', '/api/recipes', () => services.listRecipes());
  route(app, 'GET', '/api/recipes/:recipe/presets/:preset', ({ params }) =>
    services.presetConfig(params.recipe ?? '', params.preset ?? ''),
  );
  route(app, 'POST', '/api/validate', ({ body }) =>
    services.validateConfig(LaunchRequestSchema.parse(body)),
  );
  route(app, 'POST', '/api/runs', ({ body }) => services.launchRun(LaunchRequestSchema.parse(body)));
  route(app, 'GET', '/api/runs', ({ query }) => services.listRuns(RunFilterSchema.parse(query)));
  route(app, 'GET', '/api/runs/:id', ({ params }) => services.getRun(IdParam.parse(params).id));
  route(app, 'GET', '/api/runs/:id/metrics', ({ params }) =>
    services.runMetrics(IdParam.parse(params).id),
  );
  route(app, 'GET', '/api/runs/:id/logs', ({ params }) => services.runLogs(IdParam.parse(params).id));
  route(app, 'POST', '/api/runs/:id/resume', ({ params }) =>
    services.resumeRun(IdParam.parse(params).id),
  );
  route(app, 'POST', '/api/runs/:id/cancel', ({ params }) =>
    services.cancelRun(IdParam.parse(params).id),
  );
  route(app, 'POST', '/api/compare', ({ body }) =>
    services.compareRuns(CompareRequestSchema.parse(body).runIds),
  );
  route(app, 'POST', '/api/trajectories', ({ body }) =>
    services.trajectories(TrajectoryRequestSchema.parse(body)),
  );
  route(app, 'GET', '/api/sweeps', () => services.listSweeps());
  route(app, 'POST', '/api/sweeps', ({ body }) => services.createSweep(SweepCreateSchema.parse(body)));
  route(app, 'POST', '/api/sweeps/:id/pause', ({ params }) =>
    services.pauseSweep(IdParam.parse(params).id),
  );
  route(app, 'POST', '/api/sweeps/:id/resume', ({ params }) =>
    services.resumeSweep(IdParam.parse(params).id),
  );
  route(app, 'POST', '/api/sweeps/:id/trigger', ({ params }) =>
    services.triggerSweep(IdParam.parse(params).id),
  );
  route(app, 'DELETE', '/api/sweeps/:id', ({ params }) =>
    services.deleteSweep(IdParam.parse(params).id),
  );
  app.get('/api/events', (request, reply) => serveEvents(hub, request, reply));
  registerArtifactRoute(app, services);
}

function registerArtifactRoute(app: FastifyInstance, services: WebServices): void {
  app.get('/api/artifacts/:sha256', async (request, reply) => {
    const { sha256 } = request.params as { sha256: string };
    if (!SHA256_PATTERN.test(sha256)) {
      return reply.code(400).send({ error: 'INVALID_REQUEST', message: 'sha256: 64 hex characters' });
    }
    try {
      const artifact = await services.openArtifact(sha256);
      return reply
        .header('content-type', artifact.mediaType)
        .header('content-length', String(artifact.bytes))
        .header('content-disposition', `attachment; filename="${artifact.filename}"`)
        .header('x-content-type-options', 'nosniff')
        .send(artifact.body);
    } catch (error) {
      return sendError(reply, error);
    }
  });
}
