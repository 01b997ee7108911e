import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { StageOutput } from '../lib/stages/output.ts';
import type { RunPlan } from '../lib/stages/types.ts';

/** Where one stage stands, as the workflow sees it (attempt-level detail lives in StageRun rows). */
export interface StageProgressInfo {
  status: 'pending' | 'running' | 'completed' | 'cached' | 'failed' | 'cancelled';
  shardsTotal: number;
  shardsDone: number;
  /** Workflow time (ms) when the stage was launched and when its result arrived. */
  launchedAt?: number;
  finishedAt?: number;
  error?: string;
  errorType?: string;
}

/** What `progressQuery` returns. */
export interface ExperimentProgress {
  runId: string;
  status: 'planning' | 'running' | 'completed' | 'failed' | 'cancelling' | 'cancelled';
  completed: number;
  total: number;
  stages: Record<string, StageProgressInfo>;
  /** How many times the workflow continued as new (history kept bounded). */
  continuedAsNew: number;
}

/** State carried across continue-as-new: the plan and every finished stage. */
export interface CarriedState {
  plan: RunPlan;
  outputs: Record<string, StageOutput>;
  stages: Record<string, StageProgressInfo>;
  continuedAsNew: number;
}

/** Input of `experimentWorkflow`. */
export interface ExperimentWorkflowInput {
  runId: string;
  recipe: string;
  config: unknown;
  /** Recompute every stage even when a completed output with the same key exists. */
  force: boolean;
  /** The failed run this one resumes (informational: reuse itself goes by cache key). */
  reuseFromRunId?: string;
  /** Prefix of every task queue name (tests, tenants); default none. */
  taskQueuePrefix?: string;
  /** Continue as new once history exceeds this many events; default 8000. */
  historyThreshold?: number;
  carried?: CarriedState;
}

/** What the workflow returns. */
export interface ExperimentResult {
  runId: string;
  status: 'completed' | 'cancelled';
  outputs: Record<string, StageOutput>;
  stages: Record<string, StageProgressInfo>;
}

export const progressQuery = defineQuery<ExperimentProgress>('progress');
/** Stops the run: running stages are cancelled, and the run is marked cancelled once they stop. */
export const cancelSignal = defineSignal<[{ reason?: string }?]>('cancel');
