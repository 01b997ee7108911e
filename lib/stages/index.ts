// Workflow-safe entry: types and pure graph helpers only. Node-only helpers (plan.ts,
// cache-key.ts) are imported by path from activities and the CLI.
export type {
  QueueKind,
  RecipeDefinition,
  RunPlan,
  StageDefinition,
  StagePlan,
  StageRetry,
  StageTimeouts,
} from './types.ts';
export { QUEUE_KINDS } from './types.ts';
export type { ArtifactRef, StageOutput } from './output.ts';
export { downstreamOf, readyStages, topologicalOrder } from './graph.ts';
export { QUEUE_RETRY, QUEUE_TIMEOUTS, taskQueueName } from './queue-defaults.ts';
export { defineStage } from './define.ts';
