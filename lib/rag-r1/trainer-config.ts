import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { ENVIRONMENT, EnvironmentSchema } from '../agent/environment.ts';
import type { RagR1Config } from './config.ts';

/**
 * The Python trainer's `sft` and `ppo` configs, defined here once. Keys are the trainer's
 * snake_case names because the object is written to its --config file as it is. The JSON
 * Schema under trainer/schemas/ is emitted from these (trainer-config-files.ts); the trainer's
 * pydantic models are checked against it (trainer/tests/test_config_schema.py). Everything
 * that changes training is required, so the trainer never fills in a value of its own.
 */

const path = (what: string) => z.string().min(1).describe(what);

const runtimeFields = {
  seed: z.number().int().describe('seed of weights init, data order and sampling'),
  device: z.enum(['cpu', 'cuda']).describe('where the trainer runs; cuda fails without a GPU'),
  bf16: z.boolean().describe('bf16 autocast on CUDA; CPU always runs fp32'),
  threads: z
    .number()
    .int()
    .min(1)
    .describe('torch CPU threads (speed only; 1 is fastest on a busy machine)'),
  output_dir: path('checkpoints are written to <output_dir>/checkpoint-<step>'),
  checkpoint_every: z.number().int().min(1).describe('steps between checkpoints'),
  keep_last: z.number().int().min(1).describe('checkpoints kept on disk (older ones are removed)'),
  log_every: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('steps between progress events (reporting only; default 1)'),
};

const ModelShapeSchema = z
  .object({
    kind: z.literal('tiny').describe('the from-scratch tiny model'),
    n_layer: z.number().int().min(1).describe('transformer blocks'),
    n_head: z.number().int().min(1).describe('attention heads'),
    n_embd: z.number().int().min(8).describe('hidden size'),
    max_position: z.number().int().min(16).describe('positions, the longest context'),
    positions: z.enum(['learned', 'rotary']).describe('learned or rotary (RoPE) positions'),
  })
  .strict()
  .describe('shape of the from-scratch tiny model (ignored with init_checkpoint)');

export const LoraSchema = z
  .object({
    r: z.number().int().min(1).describe('adapter rank'),
    alpha: z.number().gt(0).describe('adapter scale numerator (scale = alpha / r)'),
    dropout: z.number().min(0).lt(1).describe('dropout on the adapter input'),
    target_modules: z
      .array(z.string().min(1))
      .min(1)
      .describe('names of the linear layers that get adapters'),
  })
  .strict();
export type TrainerLora = z.infer<typeof LoraSchema>;

const HfModelSchema = z
  .object({
    kind: z.literal('hf').describe('a Hugging Face causal LM directory'),
    path: path(
      'save_pretrained directory: config.json, safetensors, tokenizer with a chat template',
    ),
    lora: LoraSchema.nullable().describe(
      'train LoRA adapters instead of every weight; null = full fine-tuning',
    ),
    gradient_checkpointing: z
      .boolean()
      .describe('recompute activations in the backward pass (memory for time)'),
  })
  .strict();

/** The Hugging Face fields both trainer commands share (PPO takes them at the top level). */
const hfTrainingFields = {
  lora: LoraSchema.nullable().describe(
    'HF policies only: train LoRA adapters (policy and critic); null = full fine-tuning',
  ),
  gradient_checkpointing: z
    .boolean()
    .describe('HF policies only: recompute activations in the backward pass'),
};

export const SftTrainerConfigSchema = z
  .object({
    ...runtimeFields,
    train_file: path('SFT samples jsonl (trainer/sft-sample.schema.json)'),
    eval_file: path('validation samples jsonl; the lowest-loss checkpoint is reported').optional(),
    tokenizer: path('tokenizer.json of the tiny model; an HF model brings its own').optional(),
    init_checkpoint: path('start from these weights instead of from scratch').optional(),
    model: z.discriminatedUnion('kind', [ModelShapeSchema, HfModelSchema]),
    seq_len: z.number().int().min(8).describe('longest sample; longer ones keep their last tokens'),
    batch_size: z
      .number()
      .int()
      .min(1)
      .describe('a micro batch holds at most batch_size x seq_len tokens, padding included'),
    grad_accum: z.number().int().min(1).describe('micro batches per optimizer step'),
    lr: z.number().gt(0).describe('peak learning rate'),
    warmup_steps: z.number().int().min(0).describe('linear warmup in optimizer steps'),
    lr_schedule: z
      .enum(['constant', 'cosine'])
      .describe('after warmup: constant, or cosine decay to 0.1x'),
    batching: z
      .enum(['length', 'packed'])
      .describe('length-bucketed batches, or rows of seq_len packed in order'),
    fold_prefixes: z
      .boolean()
      .describe('fold a sample that is a prefix of another into it (same loss tokens)'),
    weight_decay: z.number().min(0).describe('AdamW weight decay'),
    grad_clip: z.number().gt(0).describe('gradient norm clip'),
    epochs: z.number().gt(0).describe('passes over train_file'),
    max_steps: z.number().int().min(1).optional().describe('stop after this many steps instead'),
    log_batch_ids: z
      .boolean()
      .optional()
      .describe('include each step sample ids in progress events (tests; default off)'),
  })
  .strict();
export type SftTrainerConfig = z.infer<typeof SftTrainerConfigSchema>;

/** The turn loop of spec section 1, as the trainer's PPO rollout runs it. */
const rolloutFields = {
  retriever_url: z.string().url().describe('POST /retrieve endpoint (spec section 8)'),
  mode: z.enum(['sq', 'mq']).describe('single-query or multi-query search'),
  topk: z.number().int().min(1).describe('documents per query'),
  max_turns: z.number().int().min(0).describe('search rounds, then one final generation'),
  max_response_length: z.number().int().min(1).describe('tokens per generation turn'),
  max_obs_length: z.number().int().min(1).describe('observation cut in tokens'),
  max_prompt_length: z.number().int().min(16).describe('context cap of an episode in tokens'),
  max_start_length: z.number().int().min(8).describe('the prompt keeps its last this many tokens'),
  temperature: z.number().gt(0).describe('sampling temperature; log-probs are scored at it'),
  top_p: z.number().gt(0).max(1).describe('nucleus sampling'),
  format_reward: z.number().describe('reward of an answer that is given but wrong'),
  state_masking: z
    .boolean()
    .describe('mask <information> and invalid-action tokens out of the policy loss'),
  environment: EnvironmentSchema.describe(
    'the environment text both sides render (lib/agent/environment.json)',
  ),
};

export const PpoTrainerConfigSchema = z
  .object({
    ...runtimeFields,
    ...rolloutFields,
    train_file: path('RL questions jsonl: id, prompt, golden_answers'),
    policy_checkpoint: path('the SFT checkpoint: policy, reference and critic start here'),
    critic_checkpoint: path('a separate critic start (default: policy_checkpoint)').optional(),
    ...hfTrainingFields,
    algorithm: z.enum(['ppo', 'grpo']).describe('ppo: critic + GAE; grpo: group baselines'),
    group_size: z.number().int().min(1).describe('rollouts per prompt (grpo needs >= 2)'),
    batch_size: z.number().int().min(1).describe('prompts per step'),
    mini_batch_size: z.number().int().min(1).describe('prompts per optimizer step'),
    micro_batch_size: z.number().int().min(1).describe('sequences per forward pass'),
    ppo_epochs: z.number().int().min(1).describe('passes over each batch'),
    actor_lr: z.number().gt(0).describe('actor learning rate'),
    critic_lr: z.number().gt(0).describe('critic learning rate'),
    actor_warmup_ratio: z.number().min(0).max(1).describe('share of total_steps warming up'),
    critic_warmup_ratio: z.number().min(0).max(1).describe('share of total_steps warming up'),
    kl_beta: z.number().min(0).describe('KL penalty to the reference, in the reward'),
    gamma: z.number().min(0).max(1).describe('GAE discount'),
    lam: z.number().min(0).max(1).describe('GAE lambda'),
    clip_ratio: z.number().gt(0).describe('PPO ratio clip'),
    value_clip: z.number().gt(0).describe('critic value clip'),
    entropy_coeff: z.number().min(0).describe('entropy bonus'),
    grad_clip: z.number().gt(0).describe('gradient norm clip'),
    total_steps: z.number().int().min(1).describe('PPO steps'),
  })
  .strict();
export type PpoTrainerConfig = z.infer<typeof PpoTrainerConfigSchema>;

/** What a stage supplies besides the recipe config: its files and its machine. */
export interface TrainerRuntime {
  outputDir: string;
  threads: number;
}

export interface SftTrainerFiles extends TrainerRuntime {
  trainFile: string;
  evalFile?: string;
  /** The tiny model's tokenizer.json; an HF model brings its own. */
  tokenizer?: string;
}

export interface PpoTrainerFiles extends TrainerRuntime {
  trainFile: string;
  policyCheckpoint: string;
  retrieverUrl: string;
}

/** The recipe's LoRA section in the trainer's names (null: full fine-tuning). */
export function trainerLora(lora: RagR1Config['sft']['lora'] | undefined): TrainerLora | null {
  if (!lora) return null;
  return {
    r: lora.r,
    alpha: lora.alpha,
    dropout: lora.dropout,
    target_modules: lora.targetModules,
  };
}

function trainerModel(sft: RagR1Config['sft']): SftTrainerConfig['model'] {
  const model = sft.model;
  if (model.kind === 'tiny') {
    return {
      kind: 'tiny',
      n_layer: model.layers,
      n_head: model.heads,
      n_embd: model.dModel,
      max_position: model.maxPosition,
      positions: model.positions,
    };
  }
  if (!model.path)
    throw new ConfigError('sft.model.path: an HF model (kind "hf") needs its directory');
  return {
    kind: 'hf',
    path: model.path,
    lora: trainerLora(sft.lora),
    gradient_checkpointing: sft.gradientCheckpointing ?? false,
  };
}

/** The trainer's `sft` config from the recipe's `sft` section. */
export function buildSftTrainerConfig(
  sft: RagR1Config['sft'],
  files: SftTrainerFiles,
): SftTrainerConfig {
  return {
    seed: sft.seed,
    device: sft.device,
    bf16: sft.bf16,
    threads: files.threads,
    output_dir: files.outputDir,
    checkpoint_every: sft.checkpointEvery,
    keep_last: sft.keepCheckpoints,
    train_file: files.trainFile,
    ...(files.evalFile ? { eval_file: files.evalFile } : {}),
    ...(files.tokenizer ? { tokenizer: files.tokenizer } : {}),
    model: trainerModel(sft),
    seq_len: sft.seqLen,
    batch_size: sft.batchSize,
    grad_accum: sft.gradAccum,
    lr: sft.learningRate,
    warmup_steps: sft.warmupSteps,
    lr_schedule: sft.lrSchedule,
    batching: sft.batching,
    fold_prefixes: sft.foldPrefixes,
    weight_decay: sft.weightDecay,
    grad_clip: sft.gradClip,
    epochs: sft.epochs,
  };
}

/** The trainer's `ppo` config from the recipe's `ppo`, `agent` and `retrieval` sections. */
/** How one trainer rollout samples: what `ppo` and `probe` must agree on to sample alike. */
export interface RolloutSampling {
  retrieverUrl: string;
  maxStartTokens: number;
  temperature: number;
  topP: number;
  formatReward: number;
  stateMasking: boolean;
}

/** The trainer's rollout fields (its `RolloutFields`), shared by the `ppo` and `probe` configs. */
export function rolloutTrainerFields(
  config: Pick<RagR1Config, 'agent' | 'retrieval'>,
  sampling: RolloutSampling,
) {
  const { agent, retrieval } = config;
  return {
    retriever_url: sampling.retrieverUrl,
    mode: agent.mode,
    topk: retrieval.topK,
    max_turns: agent.maxTurns,
    max_response_length: agent.maxTokensPerTurn,
    max_obs_length: agent.maxObsTokens,
    max_prompt_length: agent.maxContextTokens,
    max_start_length: sampling.maxStartTokens,
    temperature: sampling.temperature,
    top_p: sampling.topP,
    format_reward: sampling.formatReward,
    state_masking: sampling.stateMasking,
    environment: ENVIRONMENT,
  };
}

export function buildPpoTrainerConfig(
  config: Pick<RagR1Config, 'ppo' | 'agent' | 'retrieval'>,
  files: PpoTrainerFiles,
): PpoTrainerConfig {
  const { ppo, agent, retrieval } = config;
  return {
    seed: ppo.seed,
    device: ppo.device,
    bf16: ppo.bf16,
    threads: files.threads,
    output_dir: files.outputDir,
    checkpoint_every: ppo.checkpointEvery,
    keep_last: ppo.keepCheckpoints,
    ...rolloutTrainerFields(
      { agent, retrieval },
      { ...ppo, retrieverUrl: files.retrieverUrl, maxStartTokens: ppo.maxStartTokens },
    ),
    train_file: files.trainFile,
    policy_checkpoint: files.policyCheckpoint,
    lora: trainerLora(ppo.lora),
    gradient_checkpointing: ppo.gradientCheckpointing ?? false,
    algorithm: ppo.advantage === 'gae' ? 'ppo' : 'grpo',
    group_size: ppo.groupSize,
    batch_size: ppo.batchSize,
    mini_batch_size: ppo.miniBatchSize,
    micro_batch_size: ppo.microBatchSize,
    ppo_epochs: ppo.epochs,
    actor_lr: ppo.actorLr,
    critic_lr: ppo.criticLr,
    actor_warmup_ratio: ppo.actorWarmupRatio,
    critic_warmup_ratio: ppo.criticWarmupRatio,
    kl_beta: ppo.klBeta,
    gamma: ppo.gamma,
    lam: ppo.lambda,
    clip_ratio: ppo.clip,
    value_clip: ppo.valueClip,
    entropy_coeff: ppo.entropyCoeff,
    grad_clip: ppo.gradClip,
    total_steps: ppo.steps,
  };
}
