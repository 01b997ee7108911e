import { z } from 'zod';
import { ConfigError } from '../../errors.ts';
import type { RagR1Config } from '../config.ts';
import { hydraBool, hydraFloat, hydraIdList, hydraInt, hydraString } from './hydra-value.ts';

/*
 * Renders our RAG-R1 config as Hydra overrides for the veRL fork's `verl.trainer.main_ppo`
 * (Search-R1's fork, which RAG-R1 inherits). Key names were read, not copied, from:
 *   [S]  PeterGriffinJin/Search-R1 train_ppo.sh                      @ 19efcf74a736
 *   [Y]  PeterGriffinJin/Search-R1 verl/trainer/config/ppo_trainer.yaml @ 0789f5e35977
 *   [R]  inclusionAI/AWorld-RL RAG-R1/train_ppo.sh, train_ppo_mq.sh   @ baf99ea79ada
 *   [T]  inclusionAI/AWorld-RL RAG-R1/verl/trainer/ppo/ray_trainer.py @ 5d0c206cfc06
 * Every key below exists in [Y] except those written with a leading '+' (Hydra "append"),
 * which [S] and [R] pass that way because [Y] lacks them. See README.md for what this does
 * not verify.
 */

/** Where things live on the cluster, and how big it is. Paths are as the head node sees them. */
export interface VerlPaths {
  trainParquet: string;
  valParquet: string;
  /** HF directory of the SFT policy; actor, reference and critic all start from it (spec 5). */
  sftCheckpoint: string;
  /** veRL's trainer.default_local_dir: checkpoints land in `<dir>/actor|critic/global_step_N`. */
  outputDir: string;
  retrieverUrl: string;
  nodes: number;
  gpusPerNode: number;
  projectName: string;
  experimentName: string;
}

/**
 * Cluster knobs our recipe config does not carry. Defaults are RAG-R1's 8-GPU values ([R],
 * spec 5) expressed per GPU, because this veRL divides each global micro batch by the world
 * size (fsdp_workers.py "normalize config"): at 8 GPUs they render exactly 32 / 8 / 64.
 */
export const VerlTuningSchema = z
  .object({
    actorMicroBatchPerGpu: z.number().int().positive().default(4).describe('[R] 32 on 8 GPUs'),
    criticMicroBatchPerGpu: z.number().int().positive().default(1).describe('[R] 8 on 8 GPUs'),
    logProbMicroBatchPerGpu: z.number().int().positive().default(8).describe('[R] 64 on 8 GPUs'),
    valBatchSize: z.number().int().positive().default(256).describe('[R] 256'),
    totalEpochs: z.number().int().positive().default(50).describe('[R]; steps cap first'),
    testFreq: z.number().int().positive().optional().describe('default: ppo.checkpointEvery'),
    gpuMemoryUtilization: z.number().gt(0).max(1).default(0.6).describe('[R] vLLM share'),
    tensorParallel: z.number().int().positive().default(1).describe('[R] vLLM TP size'),
    offload: z.boolean().default(true).describe('[R] FSDP param/grad/optimizer offload'),
    logger: z.array(z.string()).min(1).default(['console']).describe('[R] uses [wandb]'),
    valBeforeTrain: z.boolean().default(true).describe('[R] validate before step 1'),
  })
  .strict();
export type VerlTuning = z.infer<typeof VerlTuningSchema>;

type Override = [key: string, value: string];

function checkDivisible(value: number, by: number, field: string, why: string): void {
  if (value % by !== 0)
    throw new ConfigError(`${field}: ${value} is not divisible by ${by} (${why})`);
}

/** Global batch sizes, checked against the world size the way this veRL splits them. */
function batchSizes(config: RagR1Config, paths: VerlPaths, tuning: VerlTuning) {
  const world = paths.nodes * paths.gpusPerNode;
  const { batchSize, miniBatchSize } = config.ppo;
  const gpus = `${paths.nodes} node(s) x ${paths.gpusPerNode} GPU(s)`;
  checkDivisible(batchSize, miniBatchSize, 'ppo.batchSize', 'whole PPO mini batches');
  checkDivisible(batchSize, world, 'ppo.batchSize', `split over ${gpus}`);
  checkDivisible(miniBatchSize, world, 'ppo.miniBatchSize', `split over ${gpus}`);
  // A micro batch larger than the mini batch would leave zero accumulation steps per GPU.
  const cap = (perGpu: number) => Math.min(perGpu * world, miniBatchSize);
  return {
    actorMicro: cap(tuning.actorMicroBatchPerGpu),
    criticMicro: cap(tuning.criticMicroBatchPerGpu),
    logProbMicro: tuning.logProbMicroBatchPerGpu * world,
  };
}

function dataOverrides(config: RagR1Config, paths: VerlPaths, tuning: VerlTuning): Override[] {
  const { agent } = config;
  return [
    ['data.train_files', hydraString(paths.trainParquet, 'paths.trainParquet')], // [S][R]
    ['data.val_files', hydraString(paths.valParquet, 'paths.valParquet')], // [S][R]
    ['data.train_data_num', 'null'], // [S][R]: use every row
    ['data.val_data_num', 'null'],
    ['data.train_batch_size', hydraInt(config.ppo.batchSize, 'ppo.batchSize')],
    ['data.val_batch_size', hydraInt(tuning.valBatchSize, 'tuning.valBatchSize')],
    ['data.max_prompt_length', hydraInt(agent.maxContextTokens, 'agent.maxContextTokens')],
    ['data.max_response_length', hydraInt(agent.maxTokensPerTurn, 'agent.maxTokensPerTurn')],
    [
      'data.max_start_length',
      hydraInt(Math.min(config.ppo.maxStartTokens, agent.maxContextTokens), 'ppo.maxStartTokens'),
    ],
    ['data.max_obs_length', hydraInt(agent.maxObsTokens, 'agent.maxObsTokens')],
    ['data.shuffle_train_dataloader', 'true'],
  ];
}

function actorOverrides(config: RagR1Config, paths: VerlPaths, tuning: VerlTuning): Override[] {
  const { ppo } = config;
  const sizes = batchSizes(config, paths, tuning);
  const offload = hydraBool(tuning.offload);
  const model = hydraString(paths.sftCheckpoint, 'paths.sftCheckpoint');
  return [
    ['actor_rollout_ref.model.path', model], // [S][R]
    ['actor_rollout_ref.model.enable_gradient_checkpointing', 'true'],
    ['actor_rollout_ref.model.use_remove_padding', 'true'],
    ['actor_rollout_ref.actor.optim.lr', hydraFloat(ppo.actorLr, 'ppo.actorLr')],
    [
      'actor_rollout_ref.actor.optim.lr_warmup_steps_ratio',
      hydraFloat(ppo.actorWarmupRatio, 'ppo.actorWarmupRatio'),
    ],
    [
      'actor_rollout_ref.actor.ppo_mini_batch_size',
      hydraInt(ppo.miniBatchSize, 'ppo.miniBatchSize'),
    ],
    ['actor_rollout_ref.actor.ppo_micro_batch_size', hydraInt(sizes.actorMicro, 'actor micro')],
    ['actor_rollout_ref.actor.ppo_epochs', hydraInt(ppo.epochs, 'ppo.epochs')], // [Y]
    ['actor_rollout_ref.actor.clip_ratio', hydraFloat(ppo.clip, 'ppo.clip')], // [Y]
    ['actor_rollout_ref.actor.entropy_coeff', hydraFloat(ppo.entropyCoeff, 'ppo.entropyCoeff')],
    ['actor_rollout_ref.actor.grad_clip', hydraFloat(ppo.gradClip, 'ppo.gradClip')], // [Y]
    ['actor_rollout_ref.actor.use_kl_loss', 'false'], // [Y]; KL goes into the reward (spec 5)
    ['actor_rollout_ref.actor.state_masking', hydraBool(ppo.stateMasking)], // [S][R]
    ['actor_rollout_ref.actor.fsdp_config.param_offload', offload], // [S][R]
    ['actor_rollout_ref.actor.fsdp_config.grad_offload', offload],
    ['actor_rollout_ref.actor.fsdp_config.optimizer_offload', offload],
    ['actor_rollout_ref.rollout.name', 'vllm'], // [S][R]
    [
      'actor_rollout_ref.rollout.tensor_model_parallel_size',
      hydraInt(tuning.tensorParallel, 'tuning.tensorParallel'),
    ],
    [
      'actor_rollout_ref.rollout.gpu_memory_utilization',
      hydraFloat(tuning.gpuMemoryUtilization, 'tuning.gpuMemoryUtilization'),
    ],
    ['actor_rollout_ref.rollout.log_prob_micro_batch_size', hydraInt(sizes.logProbMicro, 'lp')],
    ['actor_rollout_ref.rollout.n_agent', hydraInt(ppo.groupSize, 'ppo.groupSize')], // [S][R]
    ['actor_rollout_ref.rollout.temperature', hydraFloat(ppo.temperature, 'ppo.temperature')],
    ['actor_rollout_ref.rollout.top_p', hydraFloat(ppo.topP, 'ppo.topP')], // [Y]
    ['actor_rollout_ref.ref.log_prob_micro_batch_size', hydraInt(sizes.logProbMicro, 'lp')],
    ['actor_rollout_ref.ref.fsdp_config.param_offload', offload], // [S][R]
  ];
}

function criticOverrides(config: RagR1Config, paths: VerlPaths, tuning: VerlTuning): Override[] {
  const { ppo } = config;
  const sizes = batchSizes(config, paths, tuning);
  const offload = hydraBool(tuning.offload);
  return [
    ['critic.optim.lr', hydraFloat(ppo.criticLr, 'ppo.criticLr')], // [S][R]
    [
      'critic.optim.lr_warmup_steps_ratio',
      hydraFloat(ppo.criticWarmupRatio, 'ppo.criticWarmupRatio'),
    ],
    ['critic.model.path', hydraString(paths.sftCheckpoint, 'paths.sftCheckpoint')],
    ['critic.model.enable_gradient_checkpointing', 'true'],
    ['critic.model.use_remove_padding', 'true'],
    ['critic.ppo_micro_batch_size', hydraInt(sizes.criticMicro, 'critic micro')],
    ['critic.model.fsdp_config.param_offload', offload], // [S][R]
    ['critic.model.fsdp_config.grad_offload', offload],
    ['critic.model.fsdp_config.optimizer_offload', offload],
    ['critic.cliprange_value', hydraFloat(ppo.valueClip, 'ppo.valueClip')], // [Y]
    ['critic.grad_clip', hydraFloat(ppo.gradClip, 'ppo.gradClip')], // [Y]
  ];
}

function algorithmOverrides(config: RagR1Config): Override[] {
  const { ppo } = config;
  return [
    ['algorithm.adv_estimator', ppo.advantage], // [S][R]; 'gae' and 'grpo' both exist in [T]
    ['algorithm.kl_ctrl.type', 'fixed'], // [Y]; spec 5: fixed beta
    ['algorithm.kl_ctrl.kl_coef', hydraFloat(ppo.klBeta, 'ppo.klBeta')], // [S][R]
    ['algorithm.kl_penalty', 'kl'], // [Y]; spec 5: estimator 'kl'
    ['algorithm.gamma', hydraFloat(ppo.gamma, 'ppo.gamma')], // [Y]
    ['algorithm.lam', hydraFloat(ppo.lambda, 'ppo.lambda')], // [Y]
    ['algorithm.no_think_rl', 'false'], // [S][R]
  ];
}

function trainerOverrides(config: RagR1Config, paths: VerlPaths, tuning: VerlTuning): Override[] {
  const { ppo } = config;
  const positive = (value: number, field: string) => {
    if (!Number.isInteger(value) || value < 1) throw new ConfigError(`${field}: must be >= 1`);
    return String(value);
  };
  return [
    ['trainer.critic_warmup', '0'], // [S][R]
    ['trainer.logger', hydraIdList(tuning.logger, 'tuning.logger')],
    ['+trainer.val_only', 'false'], // [S][R] append: absent from [Y]
    ['+trainer.val_before_train', hydraBool(tuning.valBeforeTrain)],
    ['trainer.default_hdfs_dir', 'null'],
    ['trainer.n_gpus_per_node', positive(paths.gpusPerNode, 'paths.gpusPerNode')],
    ['trainer.nnodes', positive(paths.nodes, 'paths.nodes')],
    ['trainer.save_freq', hydraInt(ppo.checkpointEvery, 'ppo.checkpointEvery')],
    ['trainer.test_freq', hydraInt(tuning.testFreq ?? ppo.checkpointEvery, 'tuning.testFreq')],
    ['trainer.project_name', hydraString(paths.projectName, 'paths.projectName')],
    ['trainer.experiment_name', hydraString(paths.experimentName, 'paths.experimentName')],
    ['trainer.total_epochs', hydraInt(tuning.totalEpochs, 'tuning.totalEpochs')],
    ['trainer.total_training_steps', hydraInt(ppo.steps, 'ppo.steps')],
    ['trainer.default_local_dir', hydraString(paths.outputDir, 'paths.outputDir')],
  ];
}

function agentOverrides(config: RagR1Config, paths: VerlPaths): Override[] {
  return [
    ['max_turns', hydraInt(config.agent.maxTurns, 'agent.maxTurns')], // [S][R] top level
    ['retriever.url', hydraString(paths.retrieverUrl, 'paths.retrieverUrl')], // [S][R]
    ['retriever.topk', hydraInt(config.retrieval.topK, 'retrieval.topK')],
    ['do_search', 'true'], // [Y] top level
  ];
}

/**
 * The `key=value` override list for `python -m verl.trainer.main_ppo`, one argv element each.
 * Pure: the same config and paths always give the same list. Throws ConfigError (naming the
 * field) for batch sizes the world size cannot split, and for values Hydra would misread.
 *
 * The sq/mq mode is not here: RAG-R1's fork has no config switch for it (see README.md); the
 * launcher selects the generation module instead.
 */
export function renderVerlPpoArgs(
  config: RagR1Config,
  paths: VerlPaths,
  tuning: Partial<VerlTuning> = {},
): string[] {
  const resolved = VerlTuningSchema.parse(tuning);
  const overrides = [
    ...dataOverrides(config, paths, resolved),
    ...algorithmOverrides(config),
    ...actorOverrides(config, paths, resolved),
    ...criticOverrides(config, paths, resolved),
    ...trainerOverrides(config, paths, resolved),
    ...agentOverrides(config, paths),
  ];
  return overrides.map(([key, value]) => `${key}=${value}`);
}

/** Parses a rendered list back into a key -> value map (tests, the CLI's summary). */
export function overridesToMap(args: string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const arg of args) {
    const at = arg.indexOf('=');
    if (at <= 0) throw new ConfigError(`override "${arg}" has no key=value form`);
    const key = arg.slice(0, at);
    if (map.has(key)) throw new ConfigError(`override key "${key}" appears twice`);
    map.set(key, arg.slice(at + 1));
  }
  return map;
}
