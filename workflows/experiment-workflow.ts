import {
  CancellationScope,
  condition,
  continueAsNew,
  executeChild,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { readyStages } from '../lib/stages/graph.ts';
import type { StageOutput } from '../lib/stages/output.ts';
import { taskQueueName } from '../lib/stages/queue-defaults.ts';
import type { RunPlan, StagePlan } from '../lib/stages/types.ts';
import {
  cancelSignal,
  progressQuery,
  type ExperimentProgress,
  type ExperimentResult,
  type ExperimentWorkflowInput,
  type StageProgressInfo,
} from './experiment-state.ts';
import { describeFailure, toWorkflowFailure } from './failures.ts';
import { controlLocalActivityOptions, stageActivityOptions } from './options.ts';
import { shardWorkflow } from './shard-workflow.ts';

const DEFAULT_HISTORY_THRESHOLD = 8_000;

/**
 * Runs a recipe's stage graph: every stage whose inputs are complete starts at once, cached
 * outputs are reused by key, sharded stages fan out as child workflows. A non-retryable
 * stage failure lets running stages finish (their outputs are cached for `resume`), then fails
 * the run. History stays bounded by continuing as new between stages.
 */
export async function experimentWorkflow(
  input: ExperimentWorkflowInput,
): Promise<ExperimentResult> {
  const control = proxyLocalActivities<Activities>(controlLocalActivityOptions());
  const outputs: Record<string, StageOutput> = { ...input.carried?.outputs };
  const stages: Record<string, StageProgressInfo> = { ...input.carried?.stages };
  const stageScope = new CancellationScope();
  const state = {
    status: 'planning' as ExperimentProgress['status'],
    events: 0,
    cancelRequested: false,
  };
  let plan: RunPlan | undefined = input.carried?.plan;

  setHandler(progressQuery, () => ({
    runId: input.runId,
    status: state.status,
    completed: Object.values(stages).filter(
      (s) => s.status === 'completed' || s.status === 'cached',
    ).length,
    total: plan?.stages.length ?? 0,
    stages,
    continuedAsNew: input.carried?.continuedAsNew ?? 0,
  }));
  setHandler(cancelSignal, () => {
    state.cancelRequested = true;
    state.status = 'cancelling';
    stageScope.cancel();
  });

  let failure: unknown;
  let needsContinue = false;
  try {
    plan ??= await control.planRun({
      runId: input.runId,
      recipe: input.recipe,
      config: input.config,
    });
    for (const stage of plan.stages)
      stages[stage.name] ??= { status: 'pending', shardsTotal: stage.shardCount, shardsDone: 0 };
    state.status = 'running';
    const runPlan = plan;
    const result = await stageScope.run(() =>
      runGraph({ input, plan: runPlan, outputs, stages, state, control }),
    );
    failure = result.failure;
    needsContinue = result.needsContinue;
  } catch (error) {
    failure = error;
  }
  if (needsContinue && plan && !failure) {
    const carried = {
      plan,
      outputs,
      stages,
      continuedAsNew: (input.carried?.continuedAsNew ?? 0) + 1,
    };
    await continueAsNew<typeof experimentWorkflow>({ ...input, carried });
  }
  return finish({ input, outputs, stages, state, control, failure });
}

interface GraphContext {
  input: ExperimentWorkflowInput;
  plan: RunPlan;
  outputs: Record<string, StageOutput>;
  stages: Record<string, StageProgressInfo>;
  state: { events: number; cancelRequested: boolean };
  control: ReturnType<typeof proxyLocalActivities<Activities>>;
}

/** Launches ready stages until all are done, one fails, a cancel arrives, or history is long. */
async function runGraph(ctx: GraphContext): Promise<{ failure?: unknown; needsContinue: boolean }> {
  const completed = new Set(Object.keys(ctx.outputs));
  const launched = new Set<string>();
  const threshold = ctx.input.historyThreshold ?? DEFAULT_HISTORY_THRESHOLD;
  let inFlight = 0;
  let failure: unknown;
  let needsContinue = false;
  for (;;) {
    const info = workflowInfo();
    needsContinue ||= info.historyLength > threshold || info.continueAsNewSuggested;
    if (failure === undefined && !ctx.state.cancelRequested && !needsContinue) {
      for (const stage of readyStages(ctx.plan.stages, completed, launched)) {
        launched.add(stage.name);
        inFlight += 1;
        void executeStage(ctx, stage)
          .then(
            (output) => {
              ctx.outputs[stage.name] = output;
              completed.add(stage.name);
            },
            (error: unknown) => {
              failure ??= error;
            },
          )
          .finally(() => {
            inFlight -= 1;
            ctx.state.events += 1;
          });
      }
    }
    if (inFlight === 0) break;
    const seen = ctx.state.events;
    await CancellationScope.nonCancellable(() => condition(() => ctx.state.events !== seen));
  }
  if (failure !== undefined) return { failure, needsContinue: false };
  return { needsContinue: completed.size < ctx.plan.stages.length && needsContinue };
}

/** One stage: cache lookup, then one activity or one child workflow per shard. */
async function executeStage(ctx: GraphContext, stage: StagePlan): Promise<StageOutput> {
  const { input, control } = ctx;
  const prefix = input.taskQueuePrefix ?? '';
  const info = ctx.stages[stage.name]!;
  info.status = 'running';
  info.launchedAt = Date.now();
  const taskQueue = taskQueueName(stage.queue, prefix, stage.gpuClass);
  const inputs = Object.fromEntries(stage.inputs.map((name) => [name, ctx.outputs[name]!]));
  const common = { runId: input.runId, stage, inputs, force: input.force };
  try {
    const resolved = await control.resolveStageCache({ ...common, shard: -1, taskQueue });
    let output: StageOutput;
    if (resolved.hit) {
      output = resolved.hit;
      info.status = 'cached';
    } else if (stage.shardCount > 0) {
      output = await executeShards(ctx, stage, inputs, resolved.cacheKey, taskQueue);
      info.status = 'completed';
    } else {
      const activities = proxyActivities<Activities>(stageActivityOptions(stage, prefix));
      output = await activities.runStage({ ...common, shard: -1, cacheKey: resolved.cacheKey });
      info.status = 'completed';
    }
    info.finishedAt = Date.now();
    return output;
  } catch (error) {
    const { type, message } = describeFailure(error);
    info.status = isCancellation(error) ? 'cancelled' : 'failed';
    info.error = message;
    info.errorType = type;
    info.finishedAt = Date.now();
    throw error;
  }
}

/** Fans a sharded stage out; waits for every shard so the finished ones are cached for resume. */
async function executeShards(
  ctx: GraphContext,
  stage: StagePlan,
  inputs: Record<string, StageOutput>,
  cacheKey: string,
  taskQueue: string,
): Promise<StageOutput> {
  const { input } = ctx;
  const info = ctx.stages[stage.name]!;
  const prefix = input.taskQueuePrefix ?? '';
  const results = await Promise.allSettled(
    Array.from({ length: stage.shardCount }, (_, shard) =>
      executeChild(shardWorkflow, {
        workflowId: `${workflowInfo().workflowId}/${stage.name}/shard-${shard}`,
        taskQueue: taskQueueName('control', prefix),
        args: [
          { runId: input.runId, stage, shard, inputs, force: input.force, taskQueuePrefix: prefix },
        ],
      }).then((output) => {
        info.shardsDone += 1;
        return output;
      }),
    ),
  );
  const rejected = results.find((result) => result.status === 'rejected');
  if (rejected) throw rejected.reason;
  const shards = results.map((result) => (result as PromiseFulfilledResult<StageOutput>).value);
  return ctx.control.completeShardedStage({
    runId: input.runId,
    stage,
    cacheKey,
    shards,
    taskQueue,
  });
}

interface FinishContext {
  input: ExperimentWorkflowInput;
  outputs: Record<string, StageOutput>;
  stages: Record<string, StageProgressInfo>;
  state: { status: ExperimentProgress['status']; cancelRequested: boolean };
  control: ReturnType<typeof proxyLocalActivities<Activities>>;
  failure: unknown;
}

/** Records the run's end in PostgreSQL (even while cancelled) and returns or throws accordingly. */
async function finish(ctx: FinishContext): Promise<ExperimentResult> {
  const { input, failure } = ctx;
  const isCancelled =
    ctx.state.cancelRequested || (failure !== undefined && isCancellation(failure));
  if (isCancelled) {
    ctx.state.status = 'cancelled';
    await CancellationScope.nonCancellable(() =>
      ctx.control.finishRun({ runId: input.runId, status: 'CANCELLED' }),
    );
    if (!ctx.state.cancelRequested && failure !== undefined) throw failure;
    return { runId: input.runId, status: 'cancelled', outputs: ctx.outputs, stages: ctx.stages };
  }
  if (failure !== undefined) {
    ctx.state.status = 'failed';
    const failedStage = Object.entries(ctx.stages).find(
      ([, info]) => info.status === 'failed',
    )?.[0];
    const { type, message } = describeFailure(failure);
    const error = `${failedStage ?? 'run'}: ${type}: ${message}`;
    await CancellationScope.nonCancellable(() =>
      ctx.control.finishRun({ runId: input.runId, status: 'FAILED', error }),
    );
    throw toWorkflowFailure(failure, failedStage);
  }
  ctx.state.status = 'completed';
  await ctx.control.finishRun({ runId: input.runId, status: 'COMPLETED' });
  return { runId: input.runId, status: 'completed', outputs: ctx.outputs, stages: ctx.stages };
}
