import type { z } from 'zod';
import type { Env } from '../../lib/env.ts';
import { DataError, ServiceUnavailableError, UpstreamHttpError } from '../../lib/errors.ts';
import { DEFAULT_RETRY, withRetry, type RetryOptions } from './retry.ts';
import {
  RESPONSES,
  type MetricPoint,
  type MlflowExperiment,
  type MlflowMetric,
  type MlflowRun,
  type MlflowRunStatus,
} from './types.ts';

export type {
  MetricPoint,
  MlflowExperiment,
  MlflowMetric,
  MlflowRun,
  MlflowRunStatus,
} from './types.ts';

/** MLflow's log-batch limits (REST API docs, `runs/log-batch`). */
export const MAX_METRICS_PER_BATCH = 1000;
export const MAX_PARAMS_PER_BATCH = 100;
/** MLflow rejects longer param values (6000 chars since MLflow 2.x). */
export const MAX_PARAM_VALUE_LENGTH = 6000;

export interface MlflowClientOptions {
  trackingUri: string;
  fetch?: typeof fetch;
  retry?: Partial<Omit<RetryOptions, 'isRetryable'>>;
  /** Per-request timeout. Default 30 s. */
  timeoutMs?: number;
}

interface ErrorBody {
  error_code?: string;
  message?: string;
}

function isRetryable(error: unknown): boolean {
  return error instanceof UpstreamHttpError ? error.isRetryable : false;
}

/**
 * A small typed client for the MLflow tracking REST API 2.0. 5xx, 429 and network failures are
 * retried with jittered backoff; other 4xx fail at once as UpstreamHttpError with the status.
 */
export class MlflowClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly retry: RetryOptions;
  private readonly timeoutMs: number;

  constructor(options: MlflowClientOptions) {
    this.baseUrl = `${options.trackingUri.replace(/\/+$/, '')}/api/2.0/mlflow`;
    this.fetchImpl = options.fetch ?? fetch;
    this.retry = { ...DEFAULT_RETRY, ...options.retry, isRetryable };
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  static fromEnv(env: Env): MlflowClient {
    return new MlflowClient({ trackingUri: env.MLFLOW_TRACKING_URI });
  }

  /** The experiment's id, creating it if needed (a concurrent creator is tolerated). */
  async getOrCreateExperiment(name: string): Promise<string> {
    const existing = await this.findExperiment(name);
    if (existing) return existing.experiment_id;
    try {
      const created = await this.call(
        'POST',
        'experiments/create',
        { name },
        RESPONSES.createExperiment,
      );
      return created.experiment_id;
    } catch (error) {
      const raced =
        error instanceof UpstreamHttpError && error.message.includes('RESOURCE_ALREADY_EXISTS');
      const winner = raced ? await this.findExperiment(name) : undefined;
      if (winner) return winner.experiment_id;
      throw error;
    }
  }

  async createRun(
    experimentId: string,
    runName: string,
    tags: Record<string, string> = {},
  ): Promise<MlflowRun> {
    const body = {
      experiment_id: experimentId,
      run_name: runName,
      start_time: Date.now(),
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    };
    return (await this.call('POST', 'runs/create', body, RESPONSES.run)).run;
  }

  /** Logs params in batches of 100; values are stringified, and over-long ones are refused. */
  async logParams(runId: string, params: Record<string, string | number | boolean>): Promise<void> {
    const entries = Object.entries(params).map(([key, raw]) => {
      const value = String(raw);
      if (value.length > MAX_PARAM_VALUE_LENGTH) {
        throw new DataError(
          `MLflow param "${key}" is ${value.length} chars; the limit is ${MAX_PARAM_VALUE_LENGTH}`,
        );
      }
      return { key, value };
    });
    for (const batch of chunk(entries, MAX_PARAMS_PER_BATCH)) {
      await this.call('POST', 'runs/log-batch', { run_id: runId, params: batch }, RESPONSES.empty);
    }
  }

  /** Logs metric points in batches of MLflow's 1000-metric limit, in the order given. */
  async logMetrics(runId: string, metrics: readonly MetricPoint[]): Promise<void> {
    const now = Date.now();
    const points = metrics.map((point) => ({
      key: point.key,
      value: toMetricValue(point.value),
      timestamp: point.timestamp ?? now,
      step: point.step ?? 0,
    }));
    for (const batch of chunk(points, MAX_METRICS_PER_BATCH)) {
      await this.call('POST', 'runs/log-batch', { run_id: runId, metrics: batch }, RESPONSES.empty);
    }
  }

  async setTerminated(
    runId: string,
    status: Exclude<MlflowRunStatus, 'RUNNING' | 'SCHEDULED'>,
  ): Promise<void> {
    await this.call(
      'POST',
      'runs/update',
      { run_id: runId, status, end_time: Date.now() },
      RESPONSES.empty,
    );
  }

  async getRun(runId: string): Promise<MlflowRun> {
    return (
      await this.call(
        'GET',
        `runs/get?${new URLSearchParams({ run_id: runId })}`,
        undefined,
        RESPONSES.run,
      )
    ).run;
  }

  /** Every logged point of one metric, following pagination. */
  async getMetricHistory(runId: string, key: string): Promise<MlflowMetric[]> {
    const points: MlflowMetric[] = [];
    let pageToken: string | undefined;
    do {
      const query = new URLSearchParams({ run_id: runId, metric_key: key, max_results: '25000' });
      if (pageToken) query.set('page_token', pageToken);
      const page = await this.call(
        'GET',
        `metrics/get-history?${query}`,
        undefined,
        RESPONSES.metricHistory,
      );
      points.push(...page.metrics);
      pageToken = page.next_page_token || undefined;
    } while (pageToken);
    return points;
  }

  /** Runs of the experiments matching an MLflow filter string (e.g. `tags.lab_run_id = 'x'`). */
  async searchRuns(experimentIds: string[], filter = '', maxResults = 1000): Promise<MlflowRun[]> {
    const runs: MlflowRun[] = [];
    let pageToken: string | undefined;
    do {
      const body = {
        experiment_ids: experimentIds,
        filter,
        max_results: maxResults,
        page_token: pageToken,
      };
      const page = await this.call('POST', 'runs/search', body, RESPONSES.searchRuns);
      runs.push(...page.runs);
      pageToken = page.next_page_token || undefined;
    } while (pageToken);
    return runs;
  }

  private async findExperiment(name: string): Promise<MlflowExperiment | undefined> {
    try {
      const path = `experiments/get-by-name?${new URLSearchParams({ experiment_name: name })}`;
      return (await this.call('GET', path, undefined, RESPONSES.experiment)).experiment;
    } catch (error) {
      if (error instanceof UpstreamHttpError && error.status === 404) return undefined;
      throw error;
    }
  }

  private async call<S extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    schema: S,
  ): Promise<z.infer<S>> {
    const url = `${this.baseUrl}/${path}`;
    try {
      const json = await withRetry(() => this.send(method, url, body), this.retry);
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        throw new UpstreamHttpError(
          `MLflow ${method} ${path}: unexpected response: ${parsed.error.message}`,
          502,
        );
      }
      return parsed.data;
    } catch (error) {
      if (error instanceof UpstreamHttpError && error.status === 0) {
        throw new ServiceUnavailableError(
          `${error.message}; check MLFLOW_TRACKING_URI and that MLflow is up`,
        );
      }
      throw error;
    }
  }

  private async send(method: string, url: string, body: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new UpstreamHttpError(
        `cannot reach MLflow at MLFLOW_TRACKING_URI=${new URL(url).origin} (${cause})`,
        0,
      );
    }
    const text = await response.text();
    if (!response.ok) {
      const detail = parseErrorBody(text);
      const path = new URL(url).pathname;
      throw new UpstreamHttpError(
        `MLflow ${method} ${path} → ${response.status} ${detail}`,
        response.status,
      );
    }
    return text === '' ? {} : (JSON.parse(text) as unknown);
  }
}

function parseErrorBody(text: string): string {
  try {
    const body = JSON.parse(text) as ErrorBody;
    return `${body.error_code ?? ''}: ${body.message ?? text}`.trim();
  } catch {
    return text.slice(0, 500);
  }
}

/** JSON has no NaN or Infinity; MLflow's protobuf parser takes them as strings. */
function toMetricValue(value: number): number | string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return value;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size)
    chunks.push(items.slice(start, start + size));
  return chunks;
}
