import type { RecipeDefinition, StageDefinition } from '../stages/types.ts';
import { RagR1ConfigSchema, type RagR1Config } from './config.ts';
import { ragR1Preflight } from './preflight.ts';
import { RAG_R1_PRESETS } from './presets.ts';

/**
 * The RAG-R1 recipe as a stage graph (DESIGN.md "The RAG-R1 recipe as stages"). Each slice is
 * exactly the config a stage reads, so changing PPO settings never invalidates teacher samples.
 */

const CPU_LONG = { startToCloseMs: 6 * 3600_000, heartbeatMs: 60_000 };
const GPU_LONG = { startToCloseMs: 72 * 3600_000, heartbeatMs: 120_000 };

export type PrepareSlice = Pick<RagR1Config, 'data' | 'retrieval'>;
export type TeacherSampleSlice = {
  teacher: RagR1Config['teacherSample'];
  agent: RagR1Config['agent'];
  retrieval: RagR1Config['retrieval'];
  trainQuestions: number;
  seed: number;
};
export type SftSplitSlice = RagR1Config['sftSplit'] & { seed: number };
export type SftTrainSlice = RagR1Config['sft'];
export type FilterSlice = {
  filter: RagR1Config['filter'];
  teacher: RagR1Config['teacherSample']['backend'];
  agent: RagR1Config['agent'];
  retrieval: RagR1Config['retrieval'];
  seed: number;
  /** Probe mode only: the probe rolls the SFT policy out as PPO will (filter.temperature aside). */
  policy?: Pick<RagR1Config['ppo'], 'device' | 'topP' | 'maxStartTokens'>;
};

const isProbe = (slice: unknown) => (slice as FilterSlice).filter.candidates === 'probe';
export type PpoTrainSlice = {
  ppo: RagR1Config['ppo'];
  agent: RagR1Config['agent'];
  retrieval: RagR1Config['retrieval'];
};
export type EvaluateSlice = {
  evaluate: RagR1Config['evaluate'];
  agent: RagR1Config['agent'];
  retrieval: RagR1Config['retrieval'];
};

const stages: StageDefinition<RagR1Config>[] = [
  {
    name: 'prepare',
    version: '1',
    queue: 'cpu',
    inputs: [],
    configSlice: (config): PrepareSlice => ({ data: config.data, retrieval: config.retrieval }),
    description: 'tiny world or corpus + QA files; BM25 index; train and eval question sets',
  },
  {
    name: 'teacher-sample',
    version: '3',
    queue: 'cpu',
    inputs: ['prepare'],
    configSlice: (config): TeacherSampleSlice => ({
      teacher: config.teacherSample,
      agent: config.agent,
      retrieval: config.retrieval,
      trainQuestions: config.data.trainQuestions,
      seed: config.data.seed,
    }),
    shards: (slice) => (slice as TeacherSampleSlice).teacher.shards,
    timeouts: CPU_LONG,
    description: 'teacher trajectories in the think/search/answer format',
  },
  {
    name: 'sft-split',
    version: '1',
    queue: 'cpu',
    inputs: ['teacher-sample'],
    configSlice: (config): SftSplitSlice => ({ ...config.sftSplit, seed: config.data.seed }),
    description: 'the four SFT sample classes (spec section 3)',
  },
  {
    name: 'sft-train',
    version: '4',
    queue: 'gpu',
    inputs: ['prepare', 'sft-split'],
    configSlice: (config): SftTrainSlice => config.sft,
    timeouts: GPU_LONG,
    description: 'format-learning SFT, loss on model-written tokens only',
  },
  {
    name: 'filter',
    version: '3',
    queue: 'cpu',
    // Teacher mode re-samples with the teacher (HTTP, cpu); probe mode runs the SFT policy in
    // the trainer, on the queue the trainer runs on, and needs its checkpoint.
    inputs: ['prepare', 'teacher-sample', 'sft-train'],
    inputsOf: (slice) =>
      isProbe(slice) ? ['prepare', 'teacher-sample', 'sft-train'] : ['prepare', 'teacher-sample'],
    queueOf: (slice) => (isProbe(slice) ? 'gpu' : 'cpu'),
    configSlice: (config): FilterSlice => ({
      filter: config.filter,
      teacher: config.teacherSample.backend,
      agent: config.agent,
      retrieval: config.retrieval,
      seed: config.data.seed,
      ...(config.filter.candidates === 'probe'
        ? {
            policy: {
              device: config.ppo.device,
              topP: config.ppo.topP,
              maxStartTokens: config.ppo.maxStartTokens,
            },
          }
        : {}),
    }),
    timeouts: CPU_LONG,
    description: 'hard-but-answerable questions for RL (spec section 4)',
  },
  {
    name: 'ppo-train',
    version: '3',
    queue: 'gpu',
    inputs: ['prepare', 'sft-train', 'filter'],
    configSlice: (config): PpoTrainSlice => ({
      ppo: config.ppo,
      agent: config.agent,
      retrieval: config.retrieval,
    }),
    timeouts: GPU_LONG,
    description: 'PPO with the EM reward, KL to the SFT reference, retrieved tokens masked',
  },
  {
    name: 'evaluate',
    version: '4',
    queue: 'cpu',
    inputs: ['prepare', 'sft-train', 'ppo-train'],
    configSlice: (config): EvaluateSlice => ({
      evaluate: config.evaluate,
      agent: config.agent,
      retrieval: config.retrieval,
    }),
    shards: (slice) => (slice as EvaluateSlice).evaluate.shards,
    timeouts: CPU_LONG,
    description: 'EM, F1, time and retrieval count on the seven QA sets, with baselines',
  },
  {
    name: 'report',
    version: '2',
    queue: 'control',
    inputs: [
      'prepare',
      'teacher-sample',
      'sft-split',
      'sft-train',
      'filter',
      'ppo-train',
      'evaluate',
    ],
    // The report shows the whole config, so all of it is its slice.
    configSlice: (config) => config,
    timeouts: { startToCloseMs: 10 * 60_000, heartbeatMs: 0 },
    description: 'Markdown and HTML report of the run',
  },
];

export const ragR1Recipe: RecipeDefinition<RagR1Config> = {
  name: 'rag-r1',
  description: 'RAG-R1: teacher samples, four-class SFT, hard-but-answerable filter, PPO, eval',
  configSchema: RagR1ConfigSchema,
  stages,
  presets: RAG_R1_PRESETS,
  defaultPreset: 'tiny',
  preflight: ragR1Preflight,
};
