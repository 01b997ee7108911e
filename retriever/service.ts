import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { z } from 'zod';
import { RetrieveRequestSchema } from '../lib/retrieval/retrieve-api.ts';
import type { Retriever, ScoredPassage } from '../lib/retrieval/types.ts';
import { Admission } from './admission.ts';
import { ServiceMetrics } from './service-metrics.ts';

export const ServiceLimitsSchema = z
  .object({
    defaultTopK: z
      .number()
      .int()
      .positive()
      .default(3)
      .describe('topk when a request sends none or 0'),
    maxTopK: z.number().int().positive().default(100).describe('largest topk a request may ask'),
    maxQueries: z.number().int().positive().default(512).describe('largest batch of queries'),
    maxQueryChars: z.number().int().positive().default(4096).describe('longest single query'),
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .default(4 * 1024 * 1024)
      .describe('request body cap'),
    maxConcurrent: z
      .number()
      .int()
      .positive()
      .default(64)
      .describe('requests searched at once (dense merges them into one batch; keep it high)'),
    maxQueued: z.number().int().min(0).default(256).describe('requests waiting; beyond: 429'),
    rateLimitPerSecond: z.number().positive().optional().describe('global requests/s; beyond: 429'),
  })
  .strict();
export type ServiceLimits = z.infer<typeof ServiceLimitsSchema>;

export interface RetrievalServiceOptions {
  retriever: Retriever;
  limits?: Partial<ServiceLimits>;
  logger?: boolean;
}

function sendError(
  reply: FastifyReply,
  status: number,
  error: string,
  message: string,
): FastifyReply {
  return reply.code(status).send({ error, message });
}

/** Validates a `/retrieve` body against the limits; returns an error message or the request. */
function checkRequest(body: unknown, limits: ServiceLimits) {
  const parsed = RetrieveRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'body';
    return { error: `field "${field}": ${issue?.message ?? 'invalid'}` } as const;
  }
  const { queries, topk, return_scores: returnScores } = parsed.data;
  if (queries.length > limits.maxQueries) {
    return {
      error: `field "queries": ${queries.length} queries exceed the limit of ${limits.maxQueries}`,
    } as const;
  }
  const long = queries.findIndex((q) => q.length > limits.maxQueryChars);
  if (long >= 0) {
    return {
      error: `field "queries.${long}": ${queries[long]!.length} characters exceed the limit of ${limits.maxQueryChars}`,
    } as const;
  }
  const topK = topk === undefined || topk === 0 ? limits.defaultTopK : topk;
  if (topK > limits.maxTopK)
    return { error: `field "topk": ${topK} exceeds the limit of ${limits.maxTopK}` } as const;
  return { queries, topK, returnScores } as const;
}

function toWire(hits: ScoredPassage[], returnScores: boolean): unknown[] {
  return returnScores
    ? hits.map((hit) => ({ document: hit.document, score: hit.score }))
    : hits.map((hit) => hit.document);
}

/**
 * The Search-R1-compatible retrieval service: `POST /retrieve`, `GET /health`, `GET /metrics`.
 * One retriever (index loaded once) serves every request; admission control bounds the queue.
 */
export function createRetrievalService(options: RetrievalServiceOptions): FastifyInstance {
  const limits = ServiceLimitsSchema.parse(options.limits ?? {});
  const admission = new Admission(limits);
  const metrics = new ServiceMetrics();
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: limits.maxBodyBytes });
  app.addHook('onResponse', async (_request, reply) => metrics.recordResponse(reply.statusCode));
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) app.log.error(error);
    const kind =
      status === 413 ? 'payload_too_large' : status < 500 ? 'bad_request' : 'internal_error';
    return sendError(reply, status, kind, error.message);
  });
  app.get('/health', async () => ({ status: 'ok', retriever: options.retriever.id }));
  app.get('/metrics', async (_request, reply) =>
    reply.type('text/plain; version=0.0.4').send(metrics.render(admission)),
  );
  app.post('/retrieve', async (request, reply) => {
    const checked = checkRequest(request.body, limits);
    if ('error' in checked) return sendError(reply, 400, 'bad_request', checked.error ?? 'invalid');
    const ticket = await admission.acquire();
    if (typeof ticket === 'string') {
      const message =
        ticket === 'queue_full'
          ? 'retrieval queue is full; retry later'
          : 'global rate limit reached; retry later';
      return sendError(reply.header('retry-after', '1'), 429, ticket, message);
    }
    const started = performance.now();
    try {
      const results = await options.retriever.retrieve(checked.queries, checked.topK);
      metrics.recordBatch(checked.queries.length, performance.now() - started);
      return { result: results.map((hits) => toWire(hits, checked.returnScores)) };
    } finally {
      ticket();
    }
  });
  return app;
}
