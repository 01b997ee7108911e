import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DataError } from '../errors.ts';
import {
  DATASET_REGISTRY,
  loadDataset,
  readQaFile,
  sampleItems,
  type QaSourceReaders,
} from './datasets.ts';
import { parseQaJsonl, toQaJsonl } from './jsonl.ts';
import { createNodeReaders, parseS3Uri } from './readers.ts';
import { DATASET_NAMES } from './types.ts';
import { sharedDataPath } from '../shared-data.ts';

const SAMPLES = sharedDataPath('qa-samples');
const local = createNodeReaders();

describe('parseQaJsonl', () => {
  it('accepts every real FlashRAG sample file', () => {
    for (const name of DATASET_NAMES) {
      const parsed = parseQaJsonl(readFileSync(`${SAMPLES}/${name}.jsonl`, 'utf8'));
      expect(parsed.errors, name).toEqual([]);
      expect(parsed.items.length, name).toBe(parsed.rows);
      expect(parsed.rows, name).toBeGreaterThan(50);
    }
  });

  it('reports bad JSON, missing fields and empty answers with line numbers', () => {
    const text = [
      '{"id":"a","question":"q?","golden_answers":["x"]}',
      '{"id":"b","question":"q?"',
      '',
      '{"id":"c","golden_answers":["x"]}',
      '{"id":"d","question":"q?","golden_answers":[]}',
      '{"id":"e","question":"q?","golden_answers":["  "]}',
      '{"id":"a","question":"q?","golden_answers":["y"]}',
    ].join('\n');
    const parsed = parseQaJsonl(text);
    expect(parsed.rows).toBe(6);
    expect(parsed.items.map((i) => i.id)).toEqual(['a']);
    expect(parsed.errors.map((e) => e.line)).toEqual([2, 4, 5, 6, 7]);
    expect(parsed.errors[0]?.message).toMatch(/^bad JSON/);
    expect(parsed.errors[1]?.message).toBe('missing field question');
    expect(parsed.errors[2]?.message).toBe('golden_answers is empty');
    expect(parsed.errors[3]?.message).toBe('golden_answers[0] is empty');
    expect(parsed.errors[4]?.message).toMatch(/duplicate id "a" \(line 1\)/);
  });

  it('round-trips through toQaJsonl', () => {
    const items = [{ id: '1', question: 'é?', golden_answers: ['a', 'b'], metadata: { hops: 2 } }];
    expect(parseQaJsonl(toQaJsonl(items)).items).toEqual(items);
  });
});

describe('loadDataset', () => {
  it('finds the flat layout under a local folder and samples with a seed', async () => {
    const all = await loadDataset({ name: 'popqa', root: SAMPLES }, local);
    expect(all.uri).toBe(`${SAMPLES}/popqa.jsonl`);
    const a = await loadDataset({ name: 'popqa', root: SAMPLES, sampleSize: 10, seed: 7 }, local);
    const b = await loadDataset({ name: 'popqa', root: SAMPLES, sampleSize: 10, seed: 7 }, local);
    const c = await loadDataset({ name: 'popqa', root: SAMPLES, sampleSize: 10, seed: 8 }, local);
    expect(a.items).toHaveLength(10);
    expect(a.items).toEqual(b.items);
    expect(a.items.map((i) => i.id)).not.toEqual(c.items.map((i) => i.id));
    const order = a.items.map((i) => all.items.indexOf(all.items.find((x) => x.id === i.id)!));
    expect(order).toEqual([...order].sort((x, y) => x - y));
  });

  it('reads the FlashRAG layout from S3 through the injected fetcher, split by registry', async () => {
    const body = readFileSync(`${SAMPLES}/hotpotqa.jsonl`);
    const asked: string[] = [];
    const readers: QaSourceReaders = {
      readLocal: () => Promise.reject(new Error('no local reads expected')),
      fetchObject: (uri) => {
        asked.push(uri);
        if (uri === 's3://bucket/qa/hotpotqa/dev.jsonl')
          return Promise.resolve(new Uint8Array(body));
        return Promise.reject(Object.assign(new Error('gone'), { name: 'NoSuchKey' }));
      },
    };
    expect(DATASET_REGISTRY.hotpotqa.evalSplit).toBe('dev');
    const loaded = await loadDataset({ name: 'hotpotqa', root: 's3://bucket/qa/' }, readers);
    expect(loaded.items).toHaveLength(100);
    expect(asked).toEqual(['s3://bucket/qa/hotpotqa/dev.jsonl']);
  });

  it('names the file and line of a bad row', async () => {
    const readers: QaSourceReaders = {
      readLocal: () => Promise.resolve(new TextEncoder().encode('{"id":"x","question":"q"}\n')),
    };
    await expect(readQaFile('/tmp/x.jsonl', readers)).rejects.toThrow(
      new DataError('/tmp/x.jsonl line 1: missing field golden_answers'),
    );
  });

  it('says which files it tried when a dataset is absent', async () => {
    await expect(
      loadDataset({ name: 'nq', root: '/nonexistent', split: 'train' }, local),
    ).rejects.toThrow(
      /nq split train not found; tried \/nonexistent\/nq\/train.jsonl, \/nonexistent\/nq.jsonl/,
    );
  });
});

describe('helpers', () => {
  it('sampleItems returns everything when asked for more than there is', () => {
    expect(sampleItems([1, 2, 3], 5, 1)).toEqual([1, 2, 3]);
  });

  it('parseS3Uri splits bucket and key', () => {
    expect(parseS3Uri('s3://b/k/x.jsonl')).toEqual({ bucket: 'b', key: 'k/x.jsonl' });
    expect(() => parseS3Uri('/local')).toThrow(DataError);
  });
});
