import { z } from 'zod';
import { DATASET_NAMES } from '../qa/types.ts';
import { PpoConfigSchema, SftConfigSchema } from './sft-ppo-config.ts';

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
    thinkStyle: z
      .enum(['quote', 'plain'])
      .default('quote')
      .describe(
        'quote: the teacher quotes the document sentence it read a fact from inside <think>, then concludes (teaches copying); plain: it states the fact only',
      ),
  })
  .strict();

const HfTeacherSchema = z
  .object({
    kind: z
      .literal('hf')
      .describe('a local HF model served on this worker by the trainer (OpenAI-compatible API)'),
    path: z.string().min(1).describe('save_pretrained directory, or builtin:smollm2-135m-instruct'),
    device: z.enum(['auto', 'cpu', 'cuda']).default('auto').describe('where it generates'),
    maxBatch: z.number().int().positive().default(16).describe('requests generated together'),
  })
  .strict();

const OracleTeacherSchema = z
  .object({
    kind: z
      .literal('oracle')
      .describe(
        'real QA data with gold annotations: searches the supporting-fact titles, answers a gold answer only once a retrieved document holds it (lib/teacher/oracle-teacher.ts)',
      ),
  })
  .strict();

export const TeacherBackendSchema = z.discriminatedUnion('kind', [
  OpenAiEndpointSchema,
  SimulatedTeacherSchema,
  HfTeacherSchema,
  OracleTeacherSchema,
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
      .describe(
        'context cap of every rollout: teacher-sample, filter, PPO, evaluate (spec 1: 8192; tiny model: at most sft.model.maxPosition)',
      ),
  })
  .strict();

const TeacherSampleSchema = z
  .object({
    backend: TeacherBackendSchema.default({
      kind: 'simulated',
      errorScale: 1,
      thinkStyle: 'quote',
    }),
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

const FilterSchema = z
  .object({
    candidates: z
      .enum(['teacher', 'probe'])
      .default('probe')
      .describe(
        'teacher (spec 4, the paper presets): re-sample the questions the teacher got wrong; probe (tiny world): the SFT policy rolls out on a sample of the training questions and those it solves sometimes, but not always, are kept',
      ),
    rollouts: z
      .number()
      .int()
      .positive()
      .default(4)
      .describe(
        'teacher: up to this many re-samples (spec 4: 10); probe: rollouts per question (tiny world: 4)',
      ),
    temperature: z
      .number()
      .min(0)
      .max(2)
      .default(0.8)
      .describe(
        'sampling temperature (spec 4: 1.2; tiny world: 0.8 like ppo.temperature: the tiny SFT policy solved 3% of its probe rollouts at 1.2, 18% at 0.8)',
      ),
    maxRetrievals: z
      .number()
      .int()
      .positive()
      .default(10)
      .describe('teacher mode (spec 4: 10); the probe searches like PPO, agent.maxTurns'),
    probeQuestions: z
      .number()
      .int()
      .positive()
      .default(150)
      .describe(
        'probe mode: training questions probed, a seeded sample (the rest are dropped); tiny world: 150 x 4 rollouts took 110 s on 2 shared cores',
      ),
    correctShare: z
      .number()
      .min(0)
      .max(1)
      .default(0.25)
      .describe('share kept of the teacher-correct (probe: always-solved) questions (spec 4: 25%)'),
    valShare: z.number().min(0).max(0.5).default(0.05).describe('spec 4: 95/5 split'),
    skipFilter: z
      .boolean()
      .default(false)
      .describe('"w/o Filter" ablation of the teacher rule: all wrong + 25%'),
  })
  .strict()
  .refine((filter) => !(filter.skipFilter && filter.candidates === 'probe'), {
    path: ['skipFilter'],
    message: 'the "w/o Filter" ablation is a teacher-mode one: set filter.candidates "teacher"',
  });

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
    sft: SftConfigSchema.default(SftConfigSchema.parse({})),
    filter: FilterSchema.default(FilterSchema.parse({})),
    ppo: PpoConfigSchema.default(PpoConfigSchema.parse({})),
    evaluate: EvaluateSchema.default(EvaluateSchema.parse({})),
  })
  .strict()
  .superRefine((config, ctx) => {
    const { model } = config.sft;
    if (model.kind === 'tiny') {
      for (const section of ['sft', 'ppo'] as const) {
        if (config[section].lora || config[section].gradientCheckpointing) {
          ctx.addIssue({
            code: 'custom',
            path: [section, config[section].lora ? 'lora' : 'gradientCheckpointing'],
            message: `${section}.lora and ${section}.gradientCheckpointing apply to HF models (sft.model.kind "hf"), not the tiny model`,
          });
        }
      }
    } else if (config.sft.batching === 'packed') {
      ctx.addIssue({
        code: 'custom',
        path: ['sft', 'batching'],
        message:
          'sft.batching "packed" needs per-sample attention, which the HF backbone does not build; use "length"',
      });
    }
    // The tiny model has no positions past maxPosition; an hf model's limit is its own.
    if (model.kind === 'tiny' && config.agent.maxContextTokens > model.maxPosition) {
      ctx.addIssue({
        code: 'custom',
        path: ['agent', 'maxContextTokens'],
        message: `agent.maxContextTokens ${config.agent.maxContextTokens} exceeds the tiny model's sft.model.maxPosition ${model.maxPosition}`,
      });
    }
  });

export type RagR1Config = z.infer<typeof RagR1ConfigSchema>;
