import { proxyActivities } from '@temporalio/workflow';
import type { SweepActivities, SweepCellResult } from '../activities/evaluate/sweep-activities.ts';
import type { SweepWorkflowInput } from '../lib/eval/sweep-spec.ts';
import { NON_RETRYABLE_CODES } from '../lib/errors.ts';
import { QUEUE_RETRY, QUEUE_TIMEOUTS, taskQueueName } from '../lib/stages/queue-defaults.ts';

/** What one sweep execution did. */
export interface EvalSweepResult {
  checkpoints: number;
  cells: number;
  evalResults: number;
  /** Answers reused from the evaluation cache versus newly generated. */
  cached: number;
  ran: number;
}

/**
 * One execution of a scheduled evaluation sweep: resolve the checkpoints (a run's latest or
 * listed ones), evaluate each (checkpoint, top-k) cell on the cpu queue (only what the
 * evaluation cache lacks is generated), then record EvalResult rows linked to the sweep.
 * Deterministic: every side effect is an activity.
 */
export async function evalSweepWorkflow(input: SweepWorkflowInput): Promise<EvalSweepResult> {
  const prefix = input.taskQueuePrefix ?? '';
  const retry = (kind: 'control' | 'cpu') => ({
    maximumAttempts: QUEUE_RETRY[kind].maximumAttempts,
    initialInterval: QUEUE_RETRY[kind].initialIntervalMs,
    backoffCoefficient: QUEUE_RETRY[kind].backoffCoefficient,
    maximumInterval: QUEUE_RETRY[kind].maximumIntervalMs,
    nonRetryableErrorTypes: [...NON_RETRYABLE_CODES],
  });
  const control = proxyActivities<SweepActivities>({
    taskQueue: taskQueueName('control', prefix),
    startToCloseTimeout: QUEUE_TIMEOUTS.control.startToCloseMs,
    retry: retry('control'),
  });
  const cpu = proxyActivities<SweepActivities>({
    taskQueue: taskQueueName('cpu', prefix),
    startToCloseTimeout: QUEUE_TIMEOUTS.cpu.startToCloseMs,
    heartbeatTimeout: QUEUE_TIMEOUTS.cpu.heartbeatMs,
    retry: retry('cpu'),
  });
  const targets = await control.resolveSweepTargets(input);
  const cells: Array<Promise<SweepCellResult>> = [];
  for (const checkpoint of targets.checkpoints) {
    for (const topK of input.spec.topK) {
      cells.push(cpu.evaluateSweepCell({ spec: input.spec, data: targets.data, checkpoint, topK }));
    }
  }
  const results = await Promise.all(cells);
  const { evalResults } = await control.recordSweepResults({
    sweep: input.sweep,
    spec: input.spec,
    cells: results,
  });
  return {
    checkpoints: targets.checkpoints.length,
    cells: results.length,
    evalResults,
    cached: results.reduce((sum, cell) => sum + cell.cached, 0),
    ran: results.reduce((sum, cell) => sum + cell.ran, 0),
  };
}
