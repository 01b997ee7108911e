import { z } from 'zod';
import { DATASET_NAMES } from '../qa/types.ts';

/**
 * The RAG-R1 recipe's configuration: one strict schema, so an unknown key or a bad value is an
 * error naming its path. Defaults are the tiny world's; the paper presets override them with
 * the values of rag-r1-spec.md (section numbers cited beside each).
 */

const OpenAiEndpointSchema = z
  .object({
    kind: z.literal('openai').describe('an OpenAI-compatible endpoint (vLLM, SGLang, OpenAI)'),
    baseUrl: z.string().url().describe('e.g. http://gpu-node:8001/v1'),
    model: z.string().min(1).describe('model name the endpoint serves'),
    apiKeyEnv: z.string().optional().describe('environment variable holding the API key'),
    concurrency: z.number().int().positive().default(32).describe('requests in flight'),
  })
  .strict();

const SimulatedTeacherSchema = z
  .object({
    kind: z.literal('simulated').describe('the tiny world simulated teacher (tiny world only)'),
    errorScale: z
      .number()
      .min(0)
      .max(5)
      .default(1)
      .describe('multiplies the simulated teacher error rates (its accuracy knob)'),
  })
  .strict();

export const TeacherBackendSchema = z.discriminatedUnion('kind', [
  OpenAiEndpointSchema,
  SimulatedTeacherSchema,
]);

const WorldSchema = z
  .object({
    seed: z.number().int().nonnegative().default(7).describe('tiny world generator seed'),
    passages: z.number().int().min(100).max(1_000_000).default(1500).describe('corpus size'),
  })
  .strict();

const DataSchema = z
  .object({
    source: z
      .enum(['tiny-world', 'files'])
      .default('tiny-world')
      .describe('generate the tiny world, or read a corpus and QA files'),
    world: WorldSchema.default(WorldSchema.parse({})),
    corpus: z.string().optional().describe('corpus jsonl/tsv path or s3:// URI (source=files)'),
    train: z.string().optional().describe('training questions jsonl (source=files)'),
    eval: z
      .record(z.enum(DATASET_NAMES), z.string())
      .optional()
      .describe('dataset name -> QA jsonl path or s3:// URI (source=files)'),
    trainQuestions: z
      .number()
      .int()
      .positive()
      .default(1500)
      .describe('training questions given to the teacher (paper: "a portion", UNVERIFIED)'),
    evalPerDataset: z.number().int().positive().default(20).describe('questions per eval set'),
    seed: z.number().int().nonnegative().default(13).describe('sampling seed'),
  })
  .strict();

const RetrievalSchema = z
  .object({
    method: z.enum(['bm25', 'dense', 'hybrid']).default('bm25'),
    topK: z.number().int().positive().max(50).default(3).describe('docs per query (spec 6: 3)'),
    k1: z.number().positive().default(1.5),
    b: z.number().min(0).max(1).default(0.75),
    url: z.string().url().optional().describe('an external /retrieve service instead'),
  })
  .strict();

const AgentSchema = z
  .object({
    mode: z.enum(['sq', 'mq']).default('mq').describe('single-query or multi-query search'),
    maxTurns: z.number().int().positive().default(5).describe('rounds (spec 1: max_turns=5)'),
    maxTokensPerTurn: z
      .number()
      .int()
      .positive()
      .default(64)
      .describe('tokens per generation turn (spec 1: 500 in training; tiny world: 64)'),
    maxObsTokens: z
      .number()
      .int()
      .positive()
      .default(400)
      .describe('observation cut per query (spec 1: 1000; tiny world: 400)'),
    maxContextTokens: z
      .number()
      .int()
      .positive()
      .default(1024)
      .describe('rolling context cap (spec 1: 8192; tiny model: its 1024 positions)'),
  })
  .strict();

const TeacherSampleSchema = z
  .object({
    backend: TeacherBackendSchema.default({ kind: 'simulated', errorScale: 1 }),
    temperature: z.number().min(0).max(2).default(1.0),
    shards: z.number().int().positive().max(64).default(2),
  })
  .strict();

const SftSplitSchema = z
  .object({
    dedup: z.boolean().default(true).describe('drop identical (input, output) samples'),
    classKeep: z
      .tuple([z.number(), z.number(), z.number(), z.number()])
      .default([1, 1, 1, 1])
      .describe(
        'keep probability of classes 1-4 ([1,1,1,1] = the natural mix; the spec gives no balance)',
      ),
    valShare: z.number().min(0).max(0.5).default(0.05),
  })
  .strict();

const ModelSchema = z
  .object({
    kind: z.enum(['tiny', 'hf']).default('tiny'),
    path: z.string().optional().describe('local HF model directory (kind=hf): weights you supply'),
    layers: z.number().int().positive().default(4),
    dModel: z.number().int().positive().default(128),
    heads: z.number().int().positive().default(4),
    maxPosition: z.number().int().positive().default(1024).describe('context length in tokens'),
  })
  .strict();

const SftSchema = z
  .object({
    model: ModelSchema.default(ModelSchema.parse({})),
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
    learningRate: z.number().positive().default(2e-3),
    lrSchedule: z
      .enum(['constant', 'cosine'])
      .default('cosine')
      .describe('after warmup: constant, or cosine decay to 0.1x (spec 3 gives no schedule)'),
    batchSize: z
      .number()
      .int()
      .positive()
      .default(8)
      .describe('a step holds at most batchSize x seqLen tokens'),
    seqLen: z.number().int().positive().default(1024).describe('longest sample in tokens'),
    gradAccum: z.number().int().positive().default(1),
    checkpointEvery: z.number().int().positive().default(50),
    device: z.enum(['cpu', 'cuda']).default('cpu'),
  })
  .strict();

const FilterSchema = z
  .object({
    candidates: z
      .enum(['teacher', 'probe'])
      .default('teacher')
      .describe('paper: teacher-wrong questions; probe = what the SFT policy gets wrong'),
    rollouts: z.number().int().positive().default(10).describe('spec 4: up to 10'),
    temperature: z.number().min(0).max(2).default(1.2).describe('spec 4: 1.2'),
    maxRetrievals: z.number().int().positive().default(10).describe('spec 4: 10'),
    correctShare: z.number().min(0).max(1).default(0.25).describe('spec 4: 25%'),
    valShare: z.number().min(0).max(0.5).default(0.05).describe('spec 4: 95/5 split'),
    skipFilter: z.boolean().default(false).describe('"w/o Filter" ablation: all wrong + 25%'),
  })
  .strict();

const PpoSchema = z
  .object({
    advantage: z.enum(['gae', 'grpo']).default('gae').describe('spec 5: PPO with critic + GAE'),
    steps: z.number().int().positive().default(16).describe('spec 5: 500'),
    batchSize: z.number().int().positive().default(16).describe('spec 5: 512 prompts/step'),
    miniBatchSize: z.number().int().positive().default(16).describe('spec 5: 128'),
    actorLr: z.number().positive().default(2e-4).describe('spec 5: 1e-6'),
    criticLr: z.number().positive().default(5e-4).describe('spec 5: 1e-5'),
    klBeta: z.number().min(0).default(0.001).describe('spec 5: 0.001, fixed'),
    gamma: z.number().min(0).max(1).default(1),
    lambda: z.number().min(0).max(1).default(1),
    clip: z.number().positive().default(0.2),
    valueClip: z.number().positive().default(0.5),
    entropyCoeff: z.number().min(0).default(0.001),
    gradClip: z.number().positive().default(1.0),
    epochs: z.number().int().positive().default(1).describe('PPO epochs per batch (spec 5: 1)'),
    temperature: z
      .number()
      .positive()
      .default(0.8)
      .describe(
        'rollout temperature (spec 5: 1.0; tiny world: 0.8, so a small policy still finds rewards)',
      ),
    topP: z.number().positive().max(1).default(0.95),
    groupSize: z.number().int().positive().default(1).describe('rollouts per prompt (grpo > 1)'),
    checkpointEvery: z.number().int().positive().default(4).describe('spec 5: 50'),
    device: z.enum(['cpu', 'cuda']).default('cpu'),
  })
  .strict();

const EvaluateSchema = z
  .object({
    datasets: z
      .array(z.enum(DATASET_NAMES))
      .min(1)
      .default([...DATASET_NAMES]),
    normalize: z.enum(['squad', 'rag-r1']).default('rag-r1').describe('spec 7 eval script'),
    temperature: z.number().min(0).default(0).describe('spec 7: 0.7 sampled; 0 = greedy'),
    maxTurns: z.number().int().positive().default(5),
    maxTokensPerTurn: z
      .number()
      .int()
      .positive()
      .default(64)
      .describe('tokens per round (spec 7: 1024; tiny world: 64)'),
    baselines: z
      .array(z.enum(['naive', 'standard-rag', 'sft', 'sq', 'mq']))
      .default(['naive', 'standard-rag', 'sft', 'sq'])
      .describe(
        'extra methods through the same stage; sq/mq = the final policy in that search mode',
      ),
    shards: z.number().int().positive().max(64).default(2),
  })
  .strict();

export const RagR1ConfigSchema = z
  .object({
    name: z.string().min(1).default('tiny').describe('experiment name'),
    data: DataSchema.default(DataSchema.parse({})),
    retrieval: RetrievalSchema.default(RetrievalSchema.parse({})),
    agent: AgentSchema.default(AgentSchema.parse({})),
    teacherSample: TeacherSampleSchema.default(TeacherSampleSchema.parse({})),
    sftSplit: SftSplitSchema.default(SftSplitSchema.parse({})),
    sft: SftSchema.default(SftSchema.parse({})),
    filter: FilterSchema.default(FilterSchema.parse({})),
    ppo: PpoSchema.default(PpoSchema.parse({})),
    evaluate: EvaluateSchema.default(EvaluateSchema.parse({})),
  })
  .strict();

export type RagR1Config = z.infer<typeof RagR1ConfigSchema>;
