import type { QueueKind, StageRetry, StageTimeouts } from './types.ts';

/**
 * Defaults per task queue, overridden per stage. Control work is bookkeeping (seconds); CPU
 * stages are data passes (hours at most); GPU stages are training runs (days), so their
 * heartbeat window is wide enough for a checkpoint upload.
 */
export const QUEUE_TIMEOUTS: Record<QueueKind, StageTimeouts> = {
  control: { startToCloseMs: 60_000, heartbeatMs: 0 },
  cpu: { startToCloseMs: 6 * 3600_000, heartbeatMs: 30_000 },
  gpu: { startToCloseMs: 72 * 3600_000, heartbeatMs: 120_000 },
};

export const QUEUE_RETRY: Record<QueueKind, StageRetry> = {
  control: {
    maximumAttempts: 10,
    initialIntervalMs: 200,
    backoffCoefficient: 2,
    maximumIntervalMs: 10_000,
  },
  cpu: {
    maximumAttempts: 5,
    initialIntervalMs: 1_000,
    backoffCoefficient: 2,
    maximumIntervalMs: 60_000,
  },
  gpu: {
    maximumAttempts: 3,
    initialIntervalMs: 10_000,
    backoffCoefficient: 2,
    maximumIntervalMs: 600_000,
  },
};

/** The task queue name for a queue kind, with the optional test/tenant prefix and GPU class. */
export function taskQueueName(kind: QueueKind, prefix = '', gpuClass?: string): string {
  return kind === 'gpu' && gpuClass ? `${prefix}gpu-${gpuClass}` : `${prefix}${kind}`;
}
