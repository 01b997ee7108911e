/** Test-only: a tiny corpus, BM25 index, QA sets and the ONNX fixture policy as an archive. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toQaJsonl } from '../../lib/qa/jsonl.ts';
import type { QaItem } from '../../lib/qa/types.ts';
import { buildBm25Index } from '../../retriever/bm25-builder.ts';
import { packDirectory } from '../trainer/archive.ts';

export const FIXTURE_MODEL_DIR = join(
  import.meta.dirname,
  '..',
  '..',
  'lib',
  'llm',
  'onnx',
  'fixtures',
  'tiny-char',
);

const PASSAGES = [
  ['p1', 'Paris\nParis is the capital of France.'],
  ['p2', 'Berlin\nBerlin is the capital of Germany.'],
  ['p3', 'Rome\nRome is the capital of Italy.'],
  ['p4', 'Madrid\nMadrid is the capital of Spain.'],
  ['p5', 'Lisbon\nLisbon is the capital of Portugal.'],
] as const;

export interface EvalFixture {
  dir: string;
  corpus: string;
  index: string;
  qa: Record<string, string>;
  items: Record<string, QaItem[]>;
  /** The fixture model packed like a trainer `onnx` artifact. */
  archive: string;
  /** Deletes `dir`; call it once the test file is done. */
  remove(): Promise<void>;
}

/** Builds everything under a fresh temp dir; `perDataset` questions in each dataset. */
export async function createEvalFixture(datasets: string[], perDataset = 4): Promise<EvalFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'rag-r1-eval-fixture-'));
  const corpus = join(dir, 'corpus.jsonl');
  await writeFile(
    corpus,
    PASSAGES.map(([id, contents]) => JSON.stringify({ id, contents })).join('\n') + '\n',
  );
  const index = join(dir, 'corpus.bm25');
  await buildBm25Index({
    passages: PASSAGES.map(([id, contents]) => ({ id, contents })),
    out: index,
  });
  const qa: Record<string, string> = {};
  const items: Record<string, QaItem[]> = {};
  const countries = ['France', 'Germany', 'Italy', 'Spain', 'Portugal'];
  const capitals = ['Paris', 'Berlin', 'Rome', 'Madrid', 'Lisbon'];
  for (const dataset of datasets) {
    items[dataset] = Array.from({ length: perDataset }, (_, i) => ({
      id: `${dataset}-${i}`,
      question: `What is the capital of ${countries[i % 5]}?`,
      golden_answers: [capitals[i % 5] as string],
      metadata: {},
    }));
    qa[dataset] = join(dir, `${dataset}.jsonl`);
    await writeFile(qa[dataset], toQaJsonl(items[dataset]));
  }
  const archive = join(dir, 'policy.onnx.tar.gz');
  await packDirectory(FIXTURE_MODEL_DIR, archive);
  const remove = () => rm(dir, { recursive: true, force: true });
  return { dir, corpus, index, qa, items, archive, remove };
}
