import {
  ActivityCancellationType,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import { NON_RETRYABLE_CODES } from '../lib/errors.ts';
import { QUEUE_RETRY, QUEUE_TIMEOUTS, taskQueueName } from '../lib/stages/queue-defaults.ts';
import type { StagePlan, StageRetry } from '../lib/stages/types.ts';

function retryPolicy(retry: StageRetry): NonNullable<ActivityOptions['retry']> {
  return {
    maximumAttempts: retry.maximumAttempts,
    initialInterval: retry.initialIntervalMs,
    backoffCoefficient: retry.backoffCoefficient,
    maximumInterval: retry.maximumIntervalMs,
    nonRetryableErrorTypes: [...NON_RETRYABLE_CODES],
  };
}

/** Options of the light bookkeeping activities (plan, cache lookups, run status). */
export function controlActivityOptions(prefix: string): ActivityOptions {
  return {
    taskQueue: taskQueueName('control', prefix),
    startToCloseTimeout: QUEUE_TIMEOUTS.control.startToCloseMs,
    retry: retryPolicy(QUEUE_RETRY.control),
  };
}

/**
 * The same bookkeeping as local activities: run by the workflow's own worker without a trip
 * through the task queue, which is most of a cache lookup's latency. They touch only
 * PostgreSQL and finish in milliseconds, the case local activities are meant for.
 */
export function controlLocalActivityOptions(): LocalActivityOptions {
  return {
    startToCloseTimeout: QUEUE_TIMEOUTS.control.startToCloseMs,
    retry: retryPolicy(QUEUE_RETRY.control),
  };
}

/**
 * Options of one stage's `runStage`: its queue's timeouts and retries with the stage's
 * overrides (already merged into the plan). Cancellation waits for the activity to stop, so a
 * cancelled run is only marked cancelled once its work really ended.
 */
export function stageActivityOptions(stage: StagePlan, prefix: string): ActivityOptions {
  return {
    taskQueue: taskQueueName(stage.queue, prefix, stage.gpuClass),
    startToCloseTimeout: stage.timeouts.startToCloseMs,
    ...(stage.timeouts.heartbeatMs > 0 ? { heartbeatTimeout: stage.timeouts.heartbeatMs } : {}),
    retry: retryPolicy(stage.retry),
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  };
}
