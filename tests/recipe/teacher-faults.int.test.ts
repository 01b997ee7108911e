import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerGroup } from '../../workers/start-worker.ts';
import { createHarness, stageRows, waitFor, type Harness } from '../workflow/harness.ts';
import {
  cpuWorkers,
  detailsOf,
  stopRun,
  summaryOf,
  waitForStage,
  type StageRow,
} from './recipe-support.ts';
import {
  startTeacherEndpoint,
  type TeacherEndpoint,
  type TeacherEndpointOptions,
} from './teacher-endpoint.ts';

/**
 * "A teacher endpoint that returns errors or garbage produces a clear failure or a counted,
 * logged skip, never a silently smaller dataset": the rag-r1 recipe against the project's own
 * OpenAI-compatible server with faults injected, through the real Temporal, PostgreSQL and
 * MinIO. Each run stops once the data stages under test are done (no training).
 */

const QUESTIONS = 16;
const WORLD = { passages: 200, trainQuestions: QUESTIONS };
const BASE = [
  `data.world.passages=${WORLD.passages}`,
  `data.trainQuestions=${QUESTIONS}`,
  'teacherSample.shards=1',
  // The paper filter: re-samples with the teacher at T=1.2 (the tiny default probes the SFT
  // policy at 0.8), which tells its calls from teacher-sample's (T=1).
  'filter.candidates=teacher',
  'filter.temperature=1.2',
];
/** Generations per rollout of a model that never writes a valid action: maxTurns 5, plus one. */
const TURNS_PER_INVALID_ROLLOUT = 6;
/** One call plus the HTTP backend's four retries. */
const ATTEMPTS_PER_CALL = 5;

let harness: Harness;
let workers: WorkerGroup;
let running: Promise<void>;
const endpoints: TeacherEndpoint[] = [];

beforeAll(async () => {
  harness = await createHarness('teacher-faults');
  workers = await cpuWorkers(harness);
  running = workers.run();
});
afterAll(async () => {
  workers?.shutdown();
  await running;
  for (const endpoint of endpoints) await endpoint.close();
  await harness?.close();
});

async function endpoint(options: Omit<TeacherEndpointOptions, 'world'>): Promise<TeacherEndpoint> {
  const started = await startTeacherEndpoint({ ...options, world: WORLD });
  endpoints.push(started);
  return started;
}

async function launch(teacher: TeacherEndpoint): Promise<string> {
  return (await harness.launch('rag-r1', [...BASE, teacher.backendSet])).runId;
}

function rowOf(rows: StageRow[], stage: string): StageRow | undefined {
  return rows.find((r) => r.stage === stage && r.shard === -1);
}

async function stageLog(row: StageRow | undefined): Promise<string> {
  const ref = detailsOf(row).log;
  if (!ref) return '';
  return new TextDecoder().decode(await harness.deps.artifacts.getBytes(ref.sha256));
}

describe('a teacher endpoint that fails or returns garbage', () => {
  it('always HTTP 500: the run fails at teacher-sample with an error that names the endpoint', async () => {
    const teacher = await endpoint({
      model: 'teacher-down',
      faults: { failureRate: 1, failStatus: 500 },
    });
    const runId = await launch(teacher);
    const final = await harness.waitForRun(runId, 90_000);
    expect(final.status).toBe('FAILED');
    expect(final.error).toMatch(/^teacher-sample: DATA_INVALID: /);
    expect(final.error).toContain(`${QUESTIONS} of ${QUESTIONS} rollouts failed`);
    expect(final.error).toContain('check the teacher endpoint');
    expect(final.error).toContain('500');
    const rows = (await stageRows(harness, runId)).filter((r) => r.stage === 'teacher-sample');
    // A broken endpoint is not retried by Temporal: one attempt, a non-retryable failure.
    expect(rows.map((r) => [r.attempt, r.status, r.errorType])).toEqual([
      [1, 'FAILED', 'DATA_INVALID'],
    ]);
    // Every rollout's first call was retried by the HTTP backend before it gave up.
    expect(teacher.stats.failed).toBe(QUESTIONS * ATTEMPTS_PER_CALL);
    expect(teacher.calls).toHaveLength(0);
  });

  it('garbage for some questions: counted as invalid trajectories and as skipped by sft-split', async () => {
    const garbage = 5;
    const teacher = await endpoint({
      model: 'teacher-babbling',
      behaviour: ({ trainIndex }) =>
        trainIndex >= 0 && trainIndex < garbage ? 'garbage' : 'teacher',
    });
    const runId = await launch(teacher);
    const sample = await waitForStage(harness, runId, 'teacher-sample');
    const split = await waitForStage(harness, runId, 'sft-split');
    await stopRun(harness, runId);

    const summary = summaryOf(sample) as {
      trajectories: number;
      errors: number;
      finishReasons: Record<string, number>;
    };
    expect(summary.trajectories).toBe(QUESTIONS);
    expect(summary.errors).toBe(0);
    expect(summary.finishReasons['invalid']).toBe(garbage);
    const teacherCalls = teacher.calls.filter((c) => c.temperature === 1);
    expect(teacherCalls.filter((c) => c.behaviour === 'garbage')).toHaveLength(
      garbage * TURNS_PER_INVALID_ROLLOUT,
    );

    // sft-split sees every trajectory and says why each unusable one gave no sample.
    const stats = summaryOf(split) as Record<
      'train' | 'val',
      { trajectories: number; skipped: Record<string, number> }
    >;
    expect(stats.train.trajectories + stats.val.trajectories).toBe(QUESTIONS);
    const noAnswer = stats.train.skipped['no-answer']! + stats.val.skipped['no-answer']!;
    expect(noAnswer).toBe(QUESTIONS - (summary.finishReasons['answer'] ?? 0));
    expect(noAnswer).toBeGreaterThanOrEqual(garbage);
  });

  it('garbage only: the run fails at sft-split with the skip counts, not with an empty dataset', async () => {
    const teacher = await endpoint({ model: 'teacher-garbage', behaviour: () => 'garbage' });
    const runId = await launch(teacher);
    const final = await harness.waitForRun(runId, 90_000);
    expect(final.status).toBe('FAILED');
    const rows = await stageRows(harness, runId);
    expect(summaryOf(rowOf(rows, 'teacher-sample'))['finishReasons']).toEqual({
      invalid: QUESTIONS,
    });
    const split = rowOf(rows, 'sft-split');
    expect(split?.status).toBe('FAILED');
    expect(split?.error).toContain(`no SFT samples from ${QUESTIONS} trajectories`);
    expect(split?.error).toMatch(/"no-answer":\d+/);
  });

  it('a few failing questions (below 10%): teacher-sample completes and counts and logs them', async () => {
    let draws = 0;
    // The injector fails a request when random() < failureRate: here every tenth request.
    const random = (): number => (draws++ % 10 === 0 ? 0 : 1);
    const teacher = await endpoint({
      model: 'teacher-flaky',
      // Question 0 always fails; one request in ten fails anywhere, which retries absorb.
      behaviour: ({ trainIndex }) => (trainIndex === 0 ? 'fail' : 'teacher'),
      faults: { failureRate: 0.5, failStatus: 503, random },
    });
    const runId = await launch(teacher);
    const sample = await waitForStage(harness, runId, 'teacher-sample');
    await stopRun(harness, runId);

    const summary = summaryOf(sample) as {
      trajectories: number;
      errors: number;
      firstError: string;
      finishReasons: Record<string, number>;
    };
    expect(summary.trajectories).toBe(QUESTIONS);
    expect(summary.errors).toBe(1);
    expect(summary.finishReasons['error']).toBe(1);
    // The last of its five attempts answered 500 (the model) or 503 (an injected fault).
    expect(summary.firstError).toMatch(/\/v1\/completions: HTTP 50[03]: /);
    // Transient failures happened and the HTTP backend's retries absorbed them.
    expect(teacher.stats.failed).toBe(Math.ceil(teacher.stats.requests / 10));
    const failing = teacher.calls.filter((c) => c.behaviour === 'fail');
    expect(failing.length).toBeGreaterThan(0);
    expect(failing.length).toBeLessThanOrEqual(ATTEMPTS_PER_CALL);
    expect(new Set(failing.map((c) => c.question))).toEqual(new Set([teacher.trainQuestions[0]]));
    expect(await stageLog(sample)).toMatch(/warn .*rollouts failed and are skipped .*"errors":1/);
  });

  it('a teacher that fails during filter: the filter fails instead of dropping the undecided questions', async () => {
    const teacher = await endpoint({
      model: 'teacher-hot',
      // Filter re-samples at T=1.2 and every such call fails; teacher-sample (T=1) is served.
      behaviour: ({ temperature }) => (temperature > 1 ? 'fail' : 'teacher'),
    });
    const runId = await launch(teacher);
    const sample = await waitForStage(harness, runId, 'teacher-sample');
    const filter = await waitFor(
      'filter to fail',
      async () => {
        const row = rowOf(await stageRows(harness, runId), 'filter');
        return row?.status === 'FAILED' ? row : undefined;
      },
      90_000,
    );
    // sft-train waits on a GPU queue no worker here polls: stop the run by hand.
    await stopRun(harness, runId);
    const wrong = QUESTIONS - (summaryOf(sample)['correct'] as number);
    expect(wrong).toBeGreaterThan(0);
    expect(filter.errorType).toBe('DATA_INVALID');
    expect(filter.attempt).toBe(1);
    expect(filter.error).toContain(`filter: ${wrong} of ${wrong} re-sampled questions failed`);
    expect(filter.error).toContain('check the teacher endpoint');
    // Each undecided question stopped at its first failed call (after the backend's retries).
    expect(teacher.calls.filter((c) => c.behaviour === 'fail')).toHaveLength(
      wrong * ATTEMPTS_PER_CALL,
    );
  });
});
