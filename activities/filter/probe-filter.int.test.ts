import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPrompt } from '../../lib/agent/prompts.ts';
import { loadEnv } from '../../lib/env.ts';
import { sha256Hex } from '../../lib/hash.ts';
import { writeJsonl } from '../../lib/jsonl.ts';
import { RagR1ConfigSchema } from '../../lib/rag-r1/config.ts';
import { judgePassRate } from '../../lib/rag-r1/probe-rule.ts';
import type { FilterSlice } from '../../lib/rag-r1/recipe.ts';
import { CurationRowSchema, type TeacherRecord } from '../../lib/rag-r1/records.ts';
import { SftConfigSchema } from '../../lib/rag-r1/sft-ppo-config.ts';
import { buildSftTrainerConfig } from '../../lib/rag-r1/trainer-config.ts';
import type { ArtifactRef, StageOutput } from '../../lib/stages/output.ts';
import { buildBm25Index } from '../../retriever/bm25-builder.ts';
import { useTempDirs } from '../../tests/support/temp-dirs.ts';
import type { ArtifactStoreLike, StageContext, StageProgress } from '../framework/types.ts';
import { packDirectory } from '../trainer/archive.ts';
import { trainerPython } from '../trainer/run-trainer-stage.ts';
import { filterStage } from './filter-stage.ts';

/**
 * The filter stage in probe mode with the real trainer: a micro policy trained here in seconds
 * answers a capital question right about half the time (it was taught the right and a wrong
 * answer equally) and an anthem question never (its gold answer is a name it never saw), so
 * the probe's pass rates, the keep rule and the published curation can be checked.
 */

const TRAINER_DIR = resolve(import.meta.dirname, '..', '..', 'trainer');
const COUNTRIES = ['Zorvia', 'Kamiria', 'Velonia', 'Dunsaria', 'Brelia', 'Tanquia'];
/** Capital questions are taught both answers; anthem questions only the wrong one. */
const RIGHT = 'Mirton';
const WRONG = 'Oldton';
const ROLLOUTS = 4;

const tempDir = useTempDirs();
let root = '';
let checkpointArchive = '';

interface Question {
  id: string;
  question: string;
  gold: string;
  learnable: boolean;
}

const QUESTIONS: Question[] = COUNTRIES.flatMap((country, index) => [
  {
    id: `capital-${index}`,
    question: `What is the capital of ${country}`,
    gold: RIGHT,
    learnable: true,
  },
  {
    id: `anthem-${index}`,
    question: `Who wrote the anthem of ${country}`,
    gold: `Unseenwriter${index}`,
    learnable: false,
  },
]);

function answersTaught(question: Question): string[] {
  return question.learnable ? [RIGHT, WRONG] : [WRONG];
}

async function runTrainer(
  subcommand: string,
  config: unknown,
): Promise<Array<Record<string, unknown>>> {
  const { stdout } = await promisify(execFile)(
    trainerPython(loadEnv().RAG_R1_PYTHON),
    ['-m', 'rag_r1_trainer', subcommand, '--config', JSON.stringify(config)],
    { cwd: TRAINER_DIR, maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A 2-layer policy taught the answers of each question (prompted as ppo-train prompts). */
async function trainMicroPolicy(): Promise<string> {
  const trainFile = join(root, 'sft.jsonl');
  await writeJsonl(
    trainFile,
    QUESTIONS.flatMap((q) =>
      answersTaught(q).map((answer) => ({
        id: `${q.id}-${answer}`,
        messages: [
          {
            role: 'user',
            content: buildPrompt({ question: q.question, mode: 'sq', normalizeQuestion: true }),
          },
        ],
        target: `<think> I know it . </think>\n<answer> ${answer} </answer>`,
      })),
    ),
  );
  const tokenizer = join(root, 'tokenizer.json');
  await runTrainer('build-tokenizer', { inputs: [trainFile], output: tokenizer });
  const sft = SftConfigSchema.parse({
    model: { layers: 2, dModel: 64, heads: 2, maxPosition: 512 },
    learningRate: 5e-3,
    lrSchedule: 'constant',
    warmupSteps: 5,
    batchSize: 18,
    seqLen: 512,
    foldPrefixes: false,
  });
  const events = await runTrainer('sft', {
    ...buildSftTrainerConfig(sft, {
      trainFile,
      tokenizer,
      outputDir: join(root, 'sft'),
      threads: 1,
    }),
    max_steps: 100,
    checkpoint_every: 100,
  });
  const done = events.find((event) => event['event'] === 'done');
  return done!['checkpoint'] as string;
}

/** A content-addressed store in memory, with the artifact store's contract. */
function memoryStore(): ArtifactStoreLike {
  const objects = new Map<string, Uint8Array>();
  const put = (data: Uint8Array, kind: string, mediaType: string): ArtifactRef => {
    const sha256 = sha256Hex(data);
    objects.set(sha256, data);
    return { sha256, bytes: data.length, kind, mediaType, uri: `mem://${sha256}` };
  };
  return {
    putFile: async (path, meta) =>
      put(new Uint8Array(await readFile(path)), meta.kind, meta.mediaType),
    putBytes: async (data, meta) => put(data, meta.kind, meta.mediaType),
    async getToFile(sha, dest) {
      await mkdir(dirname(dest), { recursive: true });
      await writeFile(dest, objects.get(sha)!);
    },
    getBytes: async (sha) => objects.get(sha)!,
  };
}

function teacherRecord(q: Question): TeacherRecord {
  return {
    trajectory: {
      questionId: q.id,
      question: q.question,
      mode: 'sq',
      prompt: '',
      segments: [],
      turns: [],
      answer: null,
      finishReason: 'answer',
      retrievalCount: 0,
      usage: { promptTokens: 0, completionTokens: 0 },
      llmMs: 0,
      retrievalMs: 0,
    },
    goldenAnswers: [q.gold],
    dataset: 'hotpotqa',
    correct: false,
  };
}

/** The stage's inputs in a fresh store: prepare's index, teacher records, the SFT checkpoint. */
async function stageInputs(store: ArtifactStoreLike, questions: Question[]) {
  const meta = (kind: string) => ({ kind, mediaType: 'x', producer: 'test' });
  const passages = COUNTRIES.map((country, i) => ({
    id: `p${i}`,
    contents: `${country}\n${country} lies far away.`,
  }));
  const index = join(root, 'corpus.bm25');
  await buildBm25Index({ passages, out: index });
  const records = join(root, `records-${questions.length}.jsonl`);
  await writeJsonl(records, questions.map(teacherRecord));
  const inputs: Record<string, StageOutput> = {
    prepare: { artifacts: { index: await store.putFile(index, meta('bm25-index')) }, summary: {} },
    'teacher-sample': {
      artifacts: { trajectories: await store.putFile(records, meta('trajectories')) },
      summary: {},
    },
    'sft-train': {
      artifacts: { checkpoint: await store.putFile(checkpointArchive, meta('torch-checkpoint')) },
      summary: {},
    },
  };
  return inputs;
}

function probeSlice(probeQuestions: number): FilterSlice {
  const config = RagR1ConfigSchema.parse({
    agent: { mode: 'sq', maxTurns: 1, maxTokensPerTurn: 24, maxContextTokens: 512 },
    sft: { model: { maxPosition: 512 } },
    ppo: { maxStartTokens: 512 },
    filter: {
      candidates: 'probe',
      probeQuestions,
      rollouts: ROLLOUTS,
      temperature: 1.0,
      correctShare: 1,
    },
  });
  return {
    filter: config.filter,
    teacher: config.teacherSample.backend,
    agent: config.agent,
    retrieval: config.retrieval,
    seed: 5,
    policy: { device: 'cpu', topP: 1, maxStartTokens: 512 },
  };
}

function stageContext(
  store: ArtifactStoreLike,
  slice: FilterSlice,
  inputs: Record<string, StageOutput>,
) {
  const published: Record<string, ArtifactRef> = {};
  const heartbeats: StageProgress[] = [];
  const workDir = tempDir('rag-r1-probe-stage-');
  const ctx: StageContext<FilterSlice> = {
    runId: 'run',
    stage: 'filter',
    shard: -1,
    shardCount: 0,
    attempt: 1,
    cacheKey: 'k',
    config: slice,
    inputs,
    signal: new AbortController().signal,
    workDir,
    log: { info() {}, warn() {}, error() {} },
    heartbeat: (progress) => heartbeats.push(progress),
    keepAlive() {},
    async download(ref, name) {
      const dest = join(workDir, 'inputs', name ?? ref.sha256);
      await store.getToFile(ref.sha256, dest);
      return dest;
    },
    saveCheckpoint: () => Promise.reject(new Error('the probe keeps no checkpoint')),
    lastCheckpoint: async () => undefined,
    async publish(name, data, kind, mediaType) {
      const meta = { kind, mediaType, producer: 'test' };
      const ref =
        typeof data === 'string'
          ? await store.putFile(data, meta)
          : await store.putBytes(data, meta);
      published[name] = ref;
      return ref;
    },
    logMetric: async () => undefined,
    db: undefined as never,
    artifacts: store,
  };
  return { ctx, published, heartbeats, workDir };
}

async function readRows(store: ArtifactStoreLike, ref: ArtifactRef | undefined) {
  const text = new TextDecoder().decode(await store.getBytes(ref!.sha256));
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown);
}

beforeAll(async () => {
  root = tempDir('rag-r1-probe-fixture-');
  const checkpoint = await trainMicroPolicy();
  checkpointArchive = join(root, 'sft-checkpoint.tar.gz');
  await packDirectory(checkpoint, checkpointArchive);
});

describe('filter stage, probe mode', () => {
  it('keeps what the SFT policy solves sometimes, records every pass rate, and reruns alike', async () => {
    const store = memoryStore();
    const inputs = await stageInputs(store, QUESTIONS);
    const probeQuestions = QUESTIONS.length - 2;
    const first = stageContext(store, probeSlice(probeQuestions), inputs);
    const result = await filterStage(first.ctx);

    const config = JSON.parse(await readFile(join(first.workDir, 'probe-config.json'), 'utf8'));
    expect(config).toMatchObject({
      repeats: ROLLOUTS,
      temperature: 1,
      format_reward: 0,
      mode: 'sq',
    });
    expect(config.environment.stop_sequences).toContain('</answer>');
    const total = probeQuestions * ROLLOUTS;
    expect(first.heartbeats.at(-1)).toMatchObject({ step: total, total });

    const rows = (await readRows(store, first.published['curation'])).map((row) =>
      CurationRowSchema.parse(row),
    );
    expect(rows.map((row) => row.id).sort()).toEqual(QUESTIONS.map((q) => q.id).sort());
    expect(rows.filter((row) => row.reason === 'not-probed')).toHaveLength(2);
    const byId = new Map(QUESTIONS.map((q) => [q.id, q]));
    for (const row of rows.filter((r) => r.reason !== 'not-probed')) {
      expect(row.rollouts).toBe(ROLLOUTS);
      const judged = judgePassRate(row.passRate!);
      const expected = judged === 'always-solved' ? 'always-solved-sampled' : judged;
      expect(row.reason, row.id).toBe(expected);
      expect(row.kept).toBe(row.reason !== 'never-solved');
      if (!byId.get(row.id)!.learnable) expect(row.passRate, row.id).toBe(0);
    }
    const learned = rows.filter((r) => byId.get(r.id)!.learnable && r.reason !== 'not-probed');
    expect(learned.some((row) => row.reason === 'sometimes-solved')).toBe(true);
    const summary = result.summary as Record<string, number>;
    const kept = rows.filter((row) => row.kept).length;
    expect(summary['train']! + summary['val']!).toBe(kept);
    expect(summary['probed']).toBe(probeQuestions);
    expect(summary['rollouts']).toBe(total);

    // A retried attempt runs the probe again: the same seed gives the same curation.
    const again = stageContext(store, probeSlice(probeQuestions), inputs);
    await filterStage(again.ctx);
    expect(again.published['curation']?.sha256).toBe(first.published['curation']?.sha256);
  });

  it('fails with a clear data error when the policy solves none of the probed questions', async () => {
    const store = memoryStore();
    const unlearnable = QUESTIONS.filter((q) => !q.learnable);
    const inputs = await stageInputs(store, unlearnable);
    const { ctx } = stageContext(store, probeSlice(unlearnable.length), inputs);
    await expect(filterStage(ctx)).rejects.toMatchObject({
      code: 'DATA_INVALID',
      message: expect.stringContaining(`solved none of the ${unlearnable.length} probed questions`),
    });
  });
});
