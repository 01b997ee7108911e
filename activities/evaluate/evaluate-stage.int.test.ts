import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../infra/db/test-database.ts';
import { sha256Hex } from '../../lib/hash.ts';
import { RagR1ConfigSchema } from '../../lib/rag-r1/config.ts';
import type { EvaluateSlice } from '../../lib/rag-r1/recipe.ts';
import type { ArtifactRef, StageOutput } from '../../lib/stages/output.ts';
import { useTempDirs } from '../../tests/support/temp-dirs.ts';
import type { ArtifactStoreLike, CheckpointRecord, StageContext } from '../framework/types.ts';
import { evaluateStage } from './evaluate-stage.ts';
import { readEvalOutputs, recordEvaluateStage } from './record-results.ts';
import { createEvalFixture, type EvalFixture } from './test-fixture.ts';

/** An in-memory content-addressed store with the artifact store's contract. */
function memoryStore(): ArtifactStoreLike & { objects: Map<string, Uint8Array> } {
  const objects = new Map<string, Uint8Array>();
  const put = (data: Uint8Array, kind: string, mediaType: string): ArtifactRef => {
    const sha256 = sha256Hex(data);
    objects.set(sha256, data);
    return { sha256, bytes: data.length, kind, mediaType, uri: `mem://${sha256}` };
  };
  return {
    objects,
    async putFile(path, meta) {
      return put(new Uint8Array(await readFile(path)), meta.kind, meta.mediaType);
    },
    async putBytes(data, meta) {
      return put(data, meta.kind, meta.mediaType);
    },
    async getToFile(sha, dest) {
      await mkdir(dirname(dest), { recursive: true });
      await writeFile(dest, objects.get(sha)!);
    },
    async getBytes(sha) {
      return objects.get(sha)!;
    },
  };
}

function fakeContext(
  db: TestDatabase['db'],
  store: ArtifactStoreLike,
  slice: EvaluateSlice,
  inputs: Record<string, StageOutput>,
  shard: number,
  workDir: string,
) {
  const published: Record<string, ArtifactRef> = {};
  let checkpoint: CheckpointRecord | undefined;
  const heartbeats: number[] = [];
  const ctx: StageContext<EvaluateSlice> = {
    runId: 'run',
    stage: 'evaluate',
    shard,
    shardCount: 2,
    attempt: 1,
    cacheKey: 'k',
    config: slice,
    inputs,
    signal: new AbortController().signal,
    workDir,
    log: { info() {}, warn() {}, error() {} },
    heartbeat: (p) => heartbeats.push(p.step),
    keepAlive() {},
    async download(ref, name) {
      const dest = join(workDir, 'inputs', name ?? ref.sha256);
      await store.getToFile(ref.sha256, dest);
      return dest;
    },
    async saveCheckpoint(data, meta) {
      const ref =
        typeof data === 'string'
          ? await store.putFile(data, { kind: 'checkpoint', mediaType: 'x', producer: 't' })
          : await store.putBytes(data, { kind: 'checkpoint', mediaType: 'x', producer: 't' });
      checkpoint = { ref, step: meta.step, meta };
      return checkpoint;
    },
    lastCheckpoint: async () => checkpoint,
    async publish(name, data, kind, mediaType) {
      const ref =
        typeof data === 'string'
          ? await store.putFile(data, { kind, mediaType, producer: 't' })
          : await store.putBytes(data, { kind, mediaType, producer: 't' });
      published[name] = ref;
      return ref;
    },
    logMetric: async () => undefined,
    db,
    artifacts: store,
  };
  return { ctx, published, heartbeats };
}

const tempDir = useTempDirs();
let fixture: EvalFixture;
let database: TestDatabase;
const DATASETS = ['nq', 'hotpotqa'] as const;

beforeAll(async () => {
  fixture = await createEvalFixture([...DATASETS], 4);
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
  await fixture?.remove();
});

describe('evaluate stage on the ONNX fixture policy', () => {
  it('scores every method on both shards, then records per-dataset results over all shards', async () => {
    const store = memoryStore();
    const meta = { producer: 'test' };
    const ref = (path: string, kind: string) =>
      store.putFile(path, { ...meta, kind, mediaType: 'x' });
    const prepare: StageOutput = {
      artifacts: {
        corpus: await ref(fixture.corpus, 'corpus'),
        index: await ref(fixture.index, 'bm25-index'),
        'qa:nq': await ref(fixture.qa['nq']!, 'qa'),
        'qa:hotpotqa': await ref(fixture.qa['hotpotqa']!, 'qa'),
      },
      summary: {},
    };
    const onnx = await ref(fixture.archive, 'onnx');
    const inputs = {
      prepare,
      'sft-train': { artifacts: { onnx }, summary: {} },
      'ppo-train': { artifacts: { onnx }, summary: {} },
    };
    const config = RagR1ConfigSchema.parse({
      agent: { mode: 'mq' },
      evaluate: {
        datasets: [...DATASETS],
        baselines: ['naive', 'standard-rag', 'sft', 'sq'],
        maxTurns: 1,
        maxTokensPerTurn: 12,
        shards: 2,
      },
    });
    const slice: EvaluateSlice = {
      evaluate: config.evaluate,
      agent: config.agent,
      retrieval: config.retrieval,
    };
    const shards: StageOutput[] = [];
    for (const shard of [0, 1]) {
      const workDir = tempDir(`rag-r1-eval-${shard}-`);
      const { ctx, published, heartbeats } = fakeContext(
        database.db,
        store,
        slice,
        inputs,
        shard,
        workDir,
      );
      const result = await evaluateStage(ctx);
      expect(heartbeats.length).toBeGreaterThan(0);
      shards.push({ artifacts: published, summary: result.summary ?? {} });
    }
    // Evaluating again (another run, same checkpoints and settings) comes from the cache.
    const again = fakeContext(database.db, store, slice, inputs, 0, tempDir('rag-r1-eval-again-'));
    expect((await evaluateStage(again.ctx)).summary).toMatchObject({ cached: 20, ran: 0 });
    expect(shards[0]!.summary).toMatchObject({ cached: 0, ran: 20 });
    const lines = [
      ...(await readEvalOutputs(store, shards[0]!.artifacts['outputs']!.sha256)),
      ...(await readEvalOutputs(store, shards[1]!.artifacts['outputs']!.sha256)),
    ];
    // 5 methods x 2 datasets x 4 questions, split 2 + 2 per dataset between the shards.
    expect(lines).toHaveLength(40);
    expect(new Set(lines.map((line) => line.method))).toEqual(
      new Set(['ppo', 'naive', 'standard-rag', 'sft', 'sq']),
    );
    expect(lines.filter((l) => l.method === 'naive').every((l) => l.retrievals === 0)).toBe(true);
    expect(
      lines
        .filter((l) => l.method === 'standard-rag')
        .every((l) => l.retrievals === 1 && l.turns[0]?.docIds?.[0]?.length === 3),
    ).toBe(true);
    expect(lines.every((l) => l.seconds > 0 && l.em === 0)).toBe(true);

    const methods = shards[0]!.summary['methods'] as Record<
      string,
      { checkpoint: string; stamp: { retriever: string; topK: number; hash: string } }
    >;
    expect(methods['naive']?.stamp.retriever).toBe('none');
    expect(methods['ppo']?.stamp).toMatchObject({ retriever: 'bm25(k1=1.5,b=0.75)', topK: 3 });
    expect(methods['ppo']?.stamp.hash).not.toBe(methods['sq']?.stamp.hash);
    expect(methods['ppo']?.checkpoint).toBe(onnx.sha256);

    const { db } = database;
    const experiment = await db.experiment.create({
      data: { name: 'e', recipe: 'rag-r1', configHash: 'h1', config: {} },
    });
    const run = await db.run.create({
      data: { experimentId: experiment.id, workflowId: 'wf-eval-1' },
    });
    const recorded = await recordEvaluateStage(
      { db, artifacts: store },
      { runId: run.id, output: { artifacts: {}, summary: {}, shards } },
    );
    expect(recorded.ids).toHaveLength(10);
    const rows = await db.evalResult.findMany({
      where: { runId: run.id },
      orderBy: [{ method: 'asc' }, { dataset: 'asc' }],
    });
    expect(rows.map((r) => [r.method, r.dataset, r.n])).toContainEqual(['ppo', 'nq', 4]);
    expect(
      rows.every((r) => r.n === 4 && r.questionIds.length === 4 && r.normalize === 'rag-r1'),
    ).toBe(true);
    const grouped = await readEvalOutputs(
      store,
      rows.find((r) => r.method === 'ppo' && r.dataset === 'nq')!.outputsArtifact,
    );
    expect(grouped.map((l) => l.id).sort()).toEqual(['nq-0', 'nq-1', 'nq-2', 'nq-3']);
    expect((await db.run.findUniqueOrThrow({ where: { id: run.id } })).stamp).toMatchObject({
      hash: methods['ppo']?.stamp.hash,
    });
    expect(await db.metric.count({ where: { runId: run.id, key: { startsWith: 'eval/' } } })).toBe(
      40,
    );
  }, 120_000);
});
