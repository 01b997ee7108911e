import { z } from 'zod';

/**
 * The recipe's `sft` and `ppo` sections: every setting that changes what the trainer learns,
 * so all of it is in the stage cache key and the report. Defaults are the tiny world's; the
 * paper presets (presets.ts) set the rag-r1-spec.md values, cited beside each field. The tiny
 * world runs on 2 CPU cores: a 4-layer d=128 model learns the format in minutes, and PPO needs
 * far larger steps than the paper's 1e-6 to move a from-scratch model in minutes.
 */

const ModelSchema = z
  .object({
    kind: z
      .enum(['tiny', 'hf'])
      .default('tiny')
      .describe('tiny: the from-scratch transformer of the tiny world; hf: weights you supply'),
    path: z.string().optional().describe('local HF model directory (kind=hf): weights you supply'),
    layers: z.number().int().positive().default(4).describe('transformer blocks (tiny model)'),
    dModel: z.number().int().min(8).default(128).describe('hidden size (tiny model)'),
    heads: z.number().int().positive().default(4).describe('attention heads (tiny model)'),
    maxPosition: z
      .number()
      .int()
      .min(16)
      .default(1024)
      .describe('context length in tokens; agent.maxContextTokens may not exceed it (tiny model)'),
    positions: z
      .enum(['learned', 'rotary'])
      .default('rotary')
      .describe(
        'rotary (RoPE) or learned absolute position embeddings (tiny model); rotary carries what pretraining on short passages learns to documents hundreds of tokens into an episode',
      ),
  })
  .strict();

const LoraSchema = z
  .object({
    r: z.number().int().positive().default(16).describe('adapter rank'),
    alpha: z
      .number()
      .positive()
      .default(32)
      .describe('adapter scale numerator (scale = alpha / r)'),
    dropout: z.number().min(0).lt(1).default(0.05).describe('dropout on the adapter input'),
    targetModules: z
      .array(z.string().min(1))
      .min(1)
      .default(['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'])
      .describe('linear layers that get adapters (the defaults name the Llama/Qwen2 projections)'),
  })
  .strict();

/** Settings both trainer commands share. */
const runtimeFields = {
  // Optional without defaults: a config that leaves them out hashes as it did before they
  // existed, so adding them kept every cached tiny-model stage valid.
  lora: LoraSchema.nullable()
    .optional()
    .describe(
      'HF models only: train LoRA adapters instead of every weight; null = full fine-tuning',
    ),
  gradientCheckpointing: z
    .boolean()
    .optional()
    .describe('HF models only: recompute activations in the backward pass (default off)'),
  bf16: z
    .boolean()
    .default(true)
    .describe('bf16 autocast on CUDA; CPU always runs fp32 (the paper trains in bf16)'),
  seed: z
    .number()
    .int()
    .nonnegative()
    .default(0)
    .describe('trainer seed: initial weights, data order, sampling'),
  device: z.enum(['cpu', 'cuda']).default('cpu').describe('where the trainer runs'),
};

export const SftConfigSchema = z
  .object({
    model: ModelSchema.default(ModelSchema.parse({})).describe(
      'the policy: the tiny model, or Hugging Face weights you supply (spec 3: Qwen2.5-7B-Instruct)',
    ),
    epochs: z
      .number()
      .positive()
      .default(8)
      .describe('spec 3: 5 epochs; tiny world: 8 (validation loss still falling at 6)'),
    pretrainEpochs: z
      .number()
      .min(0)
      .default(10)
      .describe(
        'tiny model only: language-model epochs over the corpus before SFT, standing in for the pretraining the paper base model has',
      ),
    readingRows: z
      .number()
      .int()
      .min(0)
      .default(50)
      .describe(
        'tiny world only: reading-comprehension rows added to that pretraining (lib/world/reading.ts): a question, retrieved documents as the policy sees them, then a statement whose object is copied out of one of them, the loss on the statement only; 0 = none',
      ),
    learningRate: z
      .number()
      .positive()
      .default(2e-3)
      .describe('peak learning rate (spec 3: not stated; tiny world: 2e-3)'),
    lrSchedule: z
      .enum(['constant', 'cosine'])
      .default('cosine')
      .describe('after warmup: constant, or cosine decay to 0.1x (spec 3 gives no schedule)'),
    warmupSteps: z
      .number()
      .int()
      .min(0)
      .default(20)
      .describe('linear learning-rate warmup in optimizer steps (spec 3: not stated)'),
    weightDecay: z.number().min(0).default(0).describe('AdamW weight decay'),
    gradClip: z.number().positive().default(1.0).describe('gradient norm clip'),
    batchSize: z
      .number()
      .int()
      .positive()
      .default(8)
      .describe('a micro batch holds at most batchSize x seqLen tokens, padding included'),
    seqLen: z
      .number()
      .int()
      .min(8)
      .default(1024)
      .describe(
        'longest sample in tokens (spec 3: 8192 in + 2048 out); longer ones keep their end',
      ),
    gradAccum: z.number().int().positive().default(1).describe('micro batches per optimizer step'),
    batching: z
      .enum(['length', 'packed'])
      .default('length')
      .describe('length-bucketed batches, or rows of seqLen tokens packed in order'),
    foldPrefixes: z
      .boolean()
      .default(true)
      .describe(
        'fold a sample that is a prefix of another into it (same loss tokens, fewer tokens)',
      ),
    checkpointEvery: z.number().int().positive().default(50).describe('optimizer steps'),
    keepCheckpoints: z
      .number()
      .int()
      .positive()
      .default(1000)
      .describe(
        'checkpoints kept on disk; the lowest-validation-loss one (spec 3) is published only while it is kept',
      ),
    ...runtimeFields,
  })
  .strict();

export const PpoConfigSchema = z
  .object({
    advantage: z.enum(['gae', 'grpo']).default('gae').describe('spec 5: PPO with critic + GAE'),
    steps: z.number().int().positive().default(20).describe('PPO steps (spec 5: 500)'),
    batchSize: z.number().int().positive().default(8).describe('prompts per step (spec 5: 512)'),
    miniBatchSize: z
      .number()
      .int()
      .positive()
      .default(4)
      .describe('prompts per optimizer step (spec 5: 128)'),
    microBatchSize: z
      .number()
      .int()
      .positive()
      .default(16)
      .describe('sequences per forward pass (spec 5: 32); a memory knob, same gradients'),
    actorLr: z.number().positive().default(2e-4).describe('actor learning rate (spec 5: 1e-6)'),
    criticLr: z.number().positive().default(5e-4).describe('critic learning rate (spec 5: 1e-5)'),
    actorWarmupRatio: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe('share of steps warming up the actor lr, then constant (spec 5: 0.285)'),
    criticWarmupRatio: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe('share of steps warming up the critic lr, then constant (spec 5: 0.015)'),
    klBeta: z
      .number()
      .min(0)
      .default(0.001)
      .describe('KL penalty to the reference (spec 5: 0.001)'),
    gamma: z.number().min(0).max(1).default(1).describe('GAE discount (spec 5: 1)'),
    lambda: z.number().min(0).max(1).default(1).describe('GAE lambda (spec 5: 1)'),
    clip: z.number().positive().default(0.2).describe('PPO ratio clip (spec 5: 0.2)'),
    valueClip: z.number().positive().default(0.5).describe('critic value clip (spec 5: 0.5)'),
    entropyCoeff: z.number().min(0).default(0.001).describe('entropy bonus (spec 5: 0.001)'),
    gradClip: z.number().positive().default(1.0).describe('gradient norm clip (spec 5: 1.0)'),
    epochs: z.number().int().positive().default(1).describe('PPO epochs per batch (spec 5: 1)'),
    formatReward: z
      .number()
      .default(0)
      .describe('reward for a well-formed answer that is wrong (spec 5: 0, no format reward)'),
    stateMasking: z
      .boolean()
      .default(true)
      .describe('mask <information> and correction tokens out of the policy loss (spec 5: on)'),
    maxStartTokens: z
      .number()
      .int()
      .min(8)
      .default(1024)
      .describe(
        'the initial prompt keeps its last this many tokens (spec 1: 2048; tiny world: the whole 1024-token context)',
      ),
    temperature: z
      .number()
      .positive()
      .default(0.8)
      .describe(
        'rollout temperature (spec 5: 1.0; tiny world: 0.8, so a small policy still finds rewards)',
      ),
    topP: z
      .number()
      .positive()
      .max(1)
      .default(1)
      .describe(
        'rollout top-p (spec 5: 0.95); log-probs are scored without the nucleus cut, as veRL does, so only 1.0 is exactly on-policy',
      ),
    groupSize: z
      .number()
      .int()
      .positive()
      .default(4)
      .describe(
        'rollouts per prompt (spec 5: 1; grpo needs > 1); the tiny world uses 4 so a hard question still yields some reward',
      ),
    checkpointEvery: z.number().int().positive().default(5).describe('steps (spec 5: 50)'),
    keepCheckpoints: z
      .number()
      .int()
      .positive()
      .default(2)
      .describe('checkpoints kept on disk; the last one is published'),
    ...runtimeFields,
  })
  .strict();
