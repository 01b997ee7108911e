import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerDataCommands } from './data-commands.ts';
import { sharedDataPath } from '../lib/shared-data.ts';

async function run(args: string[]): Promise<unknown> {
  const lines: string[] = [];
  const spy = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk) => (lines.push(String(chunk)), true));
  try {
    const program = new Command('rag-r1').exitOverride();
    registerDataCommands(program);
    await program.parseAsync(['node', 'rag-r1', ...args]);
  } finally {
    spy.mockRestore();
  }
  return JSON.parse(lines.join(''));
}

const dir = mkdtempSync(join(tmpdir(), 'data-cli-'));
afterEach(() => {
  process.exitCode = undefined;
});

describe('data commands', () => {
  it('data validate reports rows and line-numbered errors', async () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, '{"id":"a","question":"q?","golden_answers":["x"]}\n{oops\n');
    expect(await run(['data', 'validate', file])).toEqual({
      rows: 2,
      errors: [{ line: 2, message: expect.stringMatching(/^bad JSON/) }],
    });
    expect(process.exitCode).toBe(1);
    expect(await run(['data', 'validate', sharedDataPath('qa-samples/bamboogle.jsonl')])).toEqual({
      rows: 63,
      errors: [],
    });
  });

  it('score prints n, em, f1 and the normalization used', async () => {
    const qa = sharedDataPath('qa-samples/nq.jsonl');
    const items = readFileSync(qa, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; golden_answers: string[] });
    const pred = join(dir, 'pred.jsonl');
    writeFileSync(
      pred,
      items
        .slice(0, 50)
        .map((i) => JSON.stringify({ id: i.id, prediction: i.golden_answers[0] }))
        .join('\n'),
    );
    const result = (await run([
      'score',
      '--data',
      qa,
      '--pred',
      pred,
      '--normalize',
      'rag-r1',
    ])) as Record<string, number | string>;
    expect(result).toMatchObject({ n: 100, em: 0.5, normalize: 'rag-r1', missing: 50 });
    expect(result.f1).toBeCloseTo(0.5, 5);
  });

  it('world generate writes the documented layout', async () => {
    const out = join(dir, 'world');
    const manifest = (await run([
      'world',
      'generate',
      '--seed',
      '2',
      '--passages',
      '400',
      '--out',
      out,
      '--test-size',
      '10',
      '--train-size',
      '20',
    ])) as { passages: number; files: Record<string, unknown> };
    expect(manifest.passages).toBe(400);
    expect(Object.keys(manifest.files).sort()).toEqual([
      'corpus.jsonl',
      'qa/2wikimultihopqa.jsonl',
      'qa/bamboogle.jsonl',
      'qa/hotpotqa.jsonl',
      'qa/musique.jsonl',
      'qa/nq.jsonl',
      'qa/popqa.jsonl',
      'qa/triviaqa.jsonl',
      'train.jsonl',
      'world.json',
    ]);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'))).toEqual(manifest);
    expect(Object.keys(JSON.parse(readFileSync(join(out, 'world.json'), 'utf8')))).toEqual([
      'seed',
      'entities',
      'facts',
      'support',
      'questions',
    ]);
    rmSync(dir, { recursive: true, force: true });
  });
});
