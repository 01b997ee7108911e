import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TeacherRecordSchema, type TeacherRecord } from '../../lib/rag-r1/records.ts';
import type { ArtifactRef } from '../../lib/stages/output.ts';
import {
  createHarness,
  spawnWorkerProcess,
  stageRows,
  waitFor,
  type Harness,
} from '../workflow/harness.ts';
import { cpuWorkers, detailsOf, stopRun, summaryOf, type StageRow } from './recipe-support.ts';
import {
  normalizeQuestion,
  startTeacherEndpoint,
  type BackendCall,
  type TeacherEndpoint,
} from './teacher-endpoint.ts';

/**
 * "A worker killed in the middle of teacher-sample or filter resumes without repeating finished
 * work (proved by counts of backend calls)". The teacher is the simulated one behind the
 * project's OpenAI-compatible server with 150 ms per call (a real endpoint is slower), so the
 * stages take seconds and a SIGKILL lands mid-stage. The server logs every call with its
 * question: after a kill, the next attempt calls the teacher for exactly the questions that
 * were not in the checkpoint it resumed from, each exactly as often as one rollout needs (the
 * teacher is deterministic), and never for a checkpointed question.
 *
 * A killed attempt is only retried after the stage's heartbeat timeout (60 s for these
 * stages), so this test waits about two minutes.
 */

const QUESTIONS = 300;
const WORLD = { passages: 300, trainQuestions: QUESTIONS };
const TEACHER_TEMPERATURE = 1; // teacherSample.temperature default; filter samples at 1.2

let harness: Harness;
let teacher: TeacherEndpoint;
const children: ChildProcess[] = [];

beforeAll(async () => {
  harness = await createHarness('data-kill');
  teacher = await startTeacherEndpoint({
    world: WORLD,
    model: 'teacher-slow',
    faults: { latencyMs: 150 },
  });
});
afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  await teacher?.close();
  await harness?.close();
});

/** A worker in its own process (so it can be SIGKILLed), on the control and CPU queues. */
async function spawnWorker(identity: string): Promise<ChildProcess> {
  const proc = await spawnWorkerProcess(harness, { identity, queues: 'control,cpu' });
  children.push(proc);
  return proc;
}

/**
 * Kills `proc` once `stage` attempt 1 is RUNNING with a checkpoint; returns the index of the
 * first teacher call made after the kill (calls in flight at the kill die with their sockets).
 */
async function killMidStage(runId: string, stage: string, proc: ChildProcess): Promise<number> {
  await waitFor(`a ${stage} checkpoint`, async () => {
    const row = await attemptRow(runId, stage, 1);
    return row?.status === 'RUNNING' && detailsOf(row).checkpoint ? row : undefined;
  });
  proc.kill('SIGKILL');
  await new Promise((resolve) => proc.once('exit', resolve));
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  return teacher.calls.length;
}

async function attemptRow(runId: string, stage: string, attempt: number) {
  const rows = await stageRows(harness, runId);
  return rows.find((r) => r.stage === stage && r.attempt === attempt);
}

async function readArtifact<T>(ref: ArtifactRef | undefined, schema: z.ZodType<T>): Promise<T[]> {
  if (!ref) throw new Error('missing artifact');
  const lines = new TextDecoder().decode(await harness.deps.artifacts.getBytes(ref.sha256));
  return lines
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => schema.parse(JSON.parse(line)));
}

function countByQuestion(calls: readonly BackendCall[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const call of calls) counts.set(call.question, (counts.get(call.question) ?? 0) + 1);
  return counts;
}

/** The attempts of a stage: 1 lost with the killed worker, 2 completed by the next one. */
function expectResumedAttempts(rows: StageRow[], stage: string, killed: string, next: string) {
  const attempts = rows.filter((r) => r.stage === stage);
  expect(attempts.map((r) => [r.attempt, r.status, r.workerIdentity])).toEqual([
    [1, 'FAILED', killed],
    [2, 'COMPLETED', next],
  ]);
  expect(attempts[0]?.errorType).toBe('ATTEMPT_LOST');
  return { lost: attempts[0]!, resumed: attempts[1]! };
}

const ResampleRowSchema = z.object({ id: z.string(), backendCalls: z.number() }).loose();

describe('a worker killed in teacher-sample, then another killed in filter', () => {
  it('each retry calls the teacher only for the questions its checkpoint did not hold', async () => {
    const workerA = await spawnWorker('worker-A');
    const run = await harness.launch('rag-r1', [
      `data.world.passages=${WORLD.passages}`,
      `data.trainQuestions=${QUESTIONS}`,
      'teacherSample.shards=1',
      // The paper filter (the tiny default probes the SFT policy): up to 10 teacher re-samples
      // at T=1.2, which tells its calls from teacher-sample's.
      'filter.candidates=teacher',
      'filter.rollouts=10',
      'filter.temperature=1.2',
      teacher.backendSet,
    ]);
    const afterKill1 = await killMidStage(run.runId, 'teacher-sample', workerA);
    const workerB = await spawnWorker('worker-B');
    await waitFor(
      'teacher-sample attempt 2',
      async () => {
        const row = await attemptRow(run.runId, 'teacher-sample', 2);
        return row?.status === 'COMPLETED' ? row : undefined;
      },
      150_000,
    );
    const afterSample = teacher.calls.length;
    const afterKill2 = await killMidStage(run.runId, 'filter', workerB);
    const workersC = await cpuWorkers(harness, 'worker-C');
    await workersC.runUntil(async () => {
      await waitFor(
        'filter attempt 2',
        async () => {
          const row = await attemptRow(run.runId, 'filter', 2);
          return row?.status === 'COMPLETED' ? row : undefined;
        },
        150_000,
      );
      await stopRun(harness, run.runId);
    });
    const rows = await stageRows(harness, run.runId);

    // teacher-sample: the final trajectories give each question's number of teacher calls.
    const sample = expectResumedAttempts(rows, 'teacher-sample', 'worker-A', 'worker-B');
    const records = await readArtifact(
      detailsOf(sample.resumed).output?.artifacts['trajectories'],
      TeacherRecordSchema,
    );
    expect(records).toHaveLength(QUESTIONS);
    const questionOf = (r: TeacherRecord) => normalizeQuestion(r.trajectory.question);
    const turns = new Map(records.map((r) => [questionOf(r), r.trajectory.turns.length]));
    expect(turns.size).toBe(QUESTIONS);
    const resumedFrom = detailsOf(sample.resumed).resumedFrom;
    const summary = summaryOf(sample.resumed);
    expect(resumedFrom?.step).toBeGreaterThan(0);
    expect(resumedFrom?.step).toBeLessThan(QUESTIONS);
    expect(summary['resumed']).toBe(resumedFrom?.step);
    expect(summary['errors']).toBe(0);

    const retryCalls = countByQuestion(
      teacher.calls
        .slice(afterKill1, afterSample)
        .filter((c) => c.temperature === TEACHER_TEMPERATURE),
    );
    // Attempt 2 asked the teacher about exactly total − resumed questions, one rollout each…
    expect(retryCalls.size).toBe(QUESTIONS - (resumedFrom?.step ?? 0));
    for (const [question, calls] of retryCalls) expect(calls, question).toBe(turns.get(question));
    const retryTotal = [...retryCalls.values()].reduce((a, b) => a + b, 0);
    const allTurns = [...turns.values()].reduce((a, b) => a + b, 0);
    expect(retryTotal).toBeLessThan(allTurns);
    // …and never about a question in attempt 1's checkpoint.
    const checkpointed = await readArtifact(
      detailsOf(sample.lost).checkpoint?.ref,
      TeacherRecordSchema,
    );
    expect(checkpointed.length).toBeGreaterThan(0);
    for (const record of checkpointed) expect(retryCalls.has(questionOf(record))).toBe(false);

    // filter: attempt 2's last checkpoint holds every candidate's number of teacher calls.
    const filter = expectResumedAttempts(rows, 'filter', 'worker-B', 'worker-C');
    const filterSummary = summaryOf(filter.resumed);
    const candidates = QUESTIONS - (summary['correct'] as number);
    expect(filterSummary['candidates']).toBe(candidates);
    expect(filterSummary['errors']).toBe(0);
    const filterResumed = detailsOf(filter.resumed).resumedFrom?.step ?? 0;
    expect(filterResumed).toBeGreaterThan(0);
    expect(filterResumed).toBeLessThan(candidates);
    expect(filterSummary['resumed']).toBe(filterResumed);
    const final = await readArtifact(detailsOf(filter.resumed).checkpoint?.ref, ResampleRowSchema);
    expect(final).toHaveLength(candidates);
    const questionById = new Map(records.map((r) => [r.trajectory.questionId, questionOf(r)]));
    const resampleCalls = new Map(final.map((r) => [questionById.get(r.id)!, r.backendCalls]));

    const filterRetryCalls = countByQuestion(teacher.calls.slice(afterKill2));
    expect(teacher.calls.slice(afterKill2).every((c) => c.temperature > 1)).toBe(true);
    expect(filterRetryCalls.size).toBe(candidates - filterResumed);
    for (const [question, calls] of filterRetryCalls) {
      expect(calls, question).toBe(resampleCalls.get(question));
    }
    const filterRetryTotal = [...filterRetryCalls.values()].reduce((a, b) => a + b, 0);
    console.info(
      `teacher-sample: resumed ${resumedFrom?.step}/${QUESTIONS}, retry calls ${retryTotal} of ${allTurns}; ` +
        `filter: resumed ${filterResumed}/${candidates}, retry calls ${filterRetryTotal} of ${filterSummary['backendCalls']}`,
    );
    const lostCheckpoint = await readArtifact(
      detailsOf(filter.lost).checkpoint?.ref,
      ResampleRowSchema,
    );
    expect(lostCheckpoint.length).toBeGreaterThan(0);
    for (const row of lostCheckpoint) {
      expect(filterRetryCalls.has(questionById.get(row.id)!)).toBe(false);
    }
  });
});
