// The workflow bundle's entry (Worker `workflowsPath`): deterministic code only.
export { experimentWorkflow } from './experiment-workflow.ts';
export { shardWorkflow } from './shard-workflow.ts';
export { evalSweepWorkflow } from './eval-sweep.ts';
export { cancelSignal, progressQuery } from './experiment-state.ts';
export type {
  ExperimentProgress,
  ExperimentResult,
  ExperimentWorkflowInput,
  StageProgressInfo,
} from './experiment-state.ts';
