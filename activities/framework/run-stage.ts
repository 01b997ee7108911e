import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelledFailure, Context } from '@temporalio/activity';
import { ConfigError } from '../../lib/errors.ts';
import { StageOutputSchema, type StageOutput } from '../../lib/stages/output.ts';
import { describeError, toActivityFailure } from './failures.ts';
import { createStageContext, writeLogFile, type StageContextHandle } from './stage-context.ts';
import {
  closeLostAttempts,
  recordStageFinish,
  recordStageStart,
  type AttemptKey,
} from './stage-runs.ts';
import { findCachedOutput, storeCachedOutput } from '../../infra/db/stage-cache.ts';
import type { ActivityDeps, RunStageInput, StageImplementation, StageRunDetails } from './types.ts';

/** Looks an implementation up by name (activities/registry.ts). */
export type StageRegistryLookup = (impl: string) => StageImplementation<unknown> | undefined;

/** Default worker identity, in Temporal's own format. */
export function defaultWorkerIdentity(): string {
  return `${process.pid}@${hostname()}`;
}

/**
 * The one generic stage activity: records the attempt, runs the registered implementation
 * with a StageContext, publishes its outputs to the stage cache only once complete, and maps
 * failures to retryable or non-retryable Temporal failures.
 */
export function createRunStage(deps: ActivityDeps, lookup: StageRegistryLookup) {
  return async function runStage(input: RunStageInput): Promise<StageOutput> {
    const info = Context.current().info;
    const key: AttemptKey = {
      runId: input.runId,
      stage: input.stage.name,
      shard: input.shard,
      attempt: info.attempt,
    };
    const timing: NonNullable<StageRunDetails['timing']> = {
      scheduledAt: info.currentAttemptScheduledTimestampMs,
      startedAt: Date.now(),
    };
    // Only a retry can have a lost predecessor, or one whose completion never reached Temporal.
    const isRetry = info.attempt > 1;
    if (isRetry) await closeLostAttempts(deps.db, key);
    const done = isRetry
      ? await findCachedOutput(deps.db, input.cacheKey, input.force ? input.runId : undefined)
      : undefined;
    const start = {
      ...key,
      cacheKey: input.cacheKey,
      taskQueue: info.taskQueue,
      workerIdentity: deps.workerIdentity ?? defaultWorkerIdentity(),
    };
    await recordStageStart(deps.db, { ...start, details: { timing } });
    if (done) {
      // An earlier attempt finished and stored its output but its completion never reached
      // Temporal: reuse it instead of computing twice.
      await recordStageFinish(deps.db, {
        ...key,
        status: 'COMPLETED',
        details: { output: done.outputs, timing },
      });
      return done.outputs;
    }
    const implementation = lookup(input.stage.impl);
    if (!implementation) {
      const failure = toActivityFailure(
        new ConfigError(`no implementation registered for stage impl "${input.stage.impl}"`),
      );
      await recordStageFinish(deps.db, { ...key, status: 'FAILED', ...errorFields(failure) });
      throw failure;
    }
    return executeAttempt(deps, input, key, implementation, timing);
  };
}

function errorFields(error: unknown): { error: string; errorType: string } {
  const { type, message } = describeError(error);
  return { error: message, errorType: type };
}

async function executeAttempt(
  deps: ActivityDeps,
  input: RunStageInput,
  key: AttemptKey,
  implementation: StageImplementation<unknown>,
  timing: NonNullable<StageRunDetails['timing']>,
): Promise<StageOutput> {
  const workDir = await mkdtemp(join(deps.scratchDir ?? tmpdir(), `rag-r1-${input.stage.name}-`));
  const handle = createStageContext(deps, input, key, workDir);
  const lease =
    input.stage.queue === 'gpu' && deps.gpus
      ? await deps.gpus.acquire(handle.ctx.signal)
      : undefined;
  if (lease)
    handle.ctx.gpu = {
      index: lease.index,
      ...(lease.gpuClass ? { gpuClass: lease.gpuClass } : {}),
    };
  try {
    if (implementation.configSchema) {
      const parsed = implementation.configSchema.safeParse(input.stage.slice);
      if (!parsed.success)
        throw new ConfigError(
          `stage ${input.stage.name} config: ${describeError(parsed.error).message}`,
        );
      handle.ctx.config = parsed.data;
    }
    timing.implStartedAt = Date.now();
    const result = await implementation.run(handle.ctx);
    timing.implEndedAt = Date.now();
    const output = StageOutputSchema.parse({
      artifacts: { ...handle.published, ...result.artifacts },
      summary: result.summary ?? {},
    });
    await handle.flush();
    const details = {
      ...handle.details,
      output,
      timing,
      ...(await uploadLog(deps, input, handle)),
    };
    await Promise.all([
      storeCachedOutput(deps.db, {
        cacheKey: input.cacheKey,
        stage: input.stage.name,
        runId: input.runId,
        outputs: output,
      }),
      recordStageFinish(deps.db, { ...key, status: 'COMPLETED', details }),
    ]);
    return output;
  } catch (error) {
    throw await recordAttemptFailure(deps, input, key, handle, error);
  } finally {
    lease?.release();
    await rm(workDir, { recursive: true, force: true });
  }
}

async function recordAttemptFailure(
  deps: ActivityDeps,
  input: RunStageInput,
  key: AttemptKey,
  handle: StageContextHandle,
  error: unknown,
): Promise<unknown> {
  await handle.flush();
  const isCancelled = handle.ctx.signal.aborted;
  handle.ctx.log.error(isCancelled ? 'cancelled' : `failed: ${describeError(error).message}`);
  const details = {
    ...handle.details,
    ...(await uploadLog(deps, input, handle).catch(() => ({}))),
  };
  if (isCancelled) {
    await recordStageFinish(deps.db, {
      ...key,
      status: 'CANCELLED',
      details,
      error: 'cancelled',
      errorType: 'CANCELLED',
    });
    return new CancelledFailure('stage cancelled');
  }
  const failure = toActivityFailure(error);
  await recordStageFinish(deps.db, { ...key, status: 'FAILED', details, ...errorFields(failure) });
  return failure;
}

async function uploadLog(
  deps: ActivityDeps,
  input: RunStageInput,
  handle: StageContextHandle,
): Promise<Pick<StageRunDetails, 'log'>> {
  if (handle.logLines.length === 0) return {};
  const path = await writeLogFile(handle.ctx.workDir, handle.logLines);
  const meta = {
    kind: 'log',
    mediaType: 'text/plain',
    producer: `${input.stage.name}@${input.stage.version}`,
    runId: input.runId,
  };
  return { log: await deps.artifacts.putFile(path, meta) };
}
