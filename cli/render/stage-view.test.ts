import { describe, expect, it } from 'vitest';
import { buildRunPlan } from '../../lib/stages/plan.ts';
import { filesDemoRecipe } from '../../lib/recipes/files-demo.ts';
import { buildStageViews, type StageRunRow } from './stage-view.ts';
import { progressBar, renderTable } from './table.ts';

const plan = buildRunPlan(filesDemoRecipe, filesDemoRecipe.configSchema.parse({})).stages;
const at = (s: number) => new Date(1_000_000 + s * 1_000);
const row = (over: Partial<StageRunRow>): StageRunRow => ({
  stage: 'generate',
  shard: -1,
  attempt: 1,
  status: 'COMPLETED',
  cacheHit: false,
  workerIdentity: 'w1',
  progress: 10,
  progressTotal: 10,
  message: null,
  error: null,
  errorType: null,
  startedAt: at(0),
  finishedAt: at(2),
  ...over,
});

describe('buildStageViews', () => {
  it('shows cached, running shards with attempts, failures, and pending stages', () => {
    const rows = [
      row({ cacheHit: true, status: 'CACHED' }),
      row({
        stage: 'transform',
        shard: 0,
        attempt: 1,
        status: 'FAILED',
        errorType: 'ATTEMPT_LOST',
        error: 'lost',
        finishedAt: at(3),
      }),
      row({
        stage: 'transform',
        shard: 0,
        attempt: 2,
        status: 'RUNNING',
        progress: 5,
        progressTotal: 10,
        workerIdentity: 'w2',
        finishedAt: null,
      }),
      row({ stage: 'transform', shard: 1, status: 'COMPLETED' }),
      row({ stage: 'wordcount', status: 'FAILED', errorType: 'DATA_INVALID', error: 'bad line 3' }),
    ];
    const views = buildStageViews(plan, rows, at(10).getTime());
    const byName = Object.fromEntries(views.map((view) => [view.stage, view]));
    expect(byName.generate).toMatchObject({ status: 'CACHED', done: 10, total: 10 });
    expect(byName.transform).toMatchObject({
      status: 'RUNNING',
      attempts: 2,
      shards: '1/2',
      done: 1.5,
      total: 2,
      durationMs: 10_000,
    });
    expect(byName.transform?.error).toBe('ATTEMPT_LOST: lost');
    expect(byName.wordcount).toMatchObject({ status: 'FAILED', error: 'DATA_INVALID: bad line 3' });
    expect(byName.hash).toMatchObject({ status: 'PENDING', attempts: 0 });
  });
});

describe('renderers', () => {
  it('draws bars and aligned columns', () => {
    expect(progressBar(5, 10, 10)).toBe('[#####-----] 50%');
    expect(progressBar(3, null, 4)).toBe('[????] 3');
    expect(
      renderTable([
        ['a', 'bb'],
        ['ccc', 'd'],
      ]),
    ).toBe('a    bb\nccc  d');
  });
});
