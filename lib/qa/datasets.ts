import { z } from 'zod';
import { DataError } from '../errors.ts';
import { Rng } from '../world/random.ts';
import { parseQaJsonl } from './jsonl.ts';
import { DATASET_NAMES, type DatasetName, type QaItem } from './types.ts';

/** What the registry knows about each benchmark (FlashRAG split names and sizes, spec §8). */
export interface DatasetInfo {
  name: DatasetName;
  title: string;
  kind: 'general' | 'multi-hop';
  /** The split Search-R1's test merge uses: `test` where one exists, else `dev`. */
  evalSplit: 'test' | 'dev';
  evalSize: number;
}

export const DATASET_REGISTRY: Readonly<Record<DatasetName, DatasetInfo>> = {
  nq: {
    name: 'nq',
    title: 'Natural Questions',
    kind: 'general',
    evalSplit: 'test',
    evalSize: 3610,
  },
  triviaqa: {
    name: 'triviaqa',
    title: 'TriviaQA',
    kind: 'general',
    evalSplit: 'test',
    evalSize: 11313,
  },
  popqa: { name: 'popqa', title: 'PopQA', kind: 'general', evalSplit: 'test', evalSize: 14267 },
  hotpotqa: {
    name: 'hotpotqa',
    title: 'HotpotQA',
    kind: 'multi-hop',
    evalSplit: 'dev',
    evalSize: 7405,
  },
  '2wikimultihopqa': {
    name: '2wikimultihopqa',
    title: '2WikiMultiHopQA',
    kind: 'multi-hop',
    evalSplit: 'dev',
    evalSize: 12576,
  },
  musique: {
    name: 'musique',
    title: 'Musique',
    kind: 'multi-hop',
    evalSplit: 'dev',
    evalSize: 2417,
  },
  bamboogle: {
    name: 'bamboogle',
    title: 'Bamboogle',
    kind: 'multi-hop',
    evalSplit: 'test',
    evalSize: 125,
  },
};

/** Reads raw bytes of an S3 object; injected so this module stays free of network clients. */
export type FetchObject = (uri: string) => Promise<Uint8Array>;
/** Reads a local file; injected so this module stays free of Node builtins. */
export type ReadLocalFile = (path: string) => Promise<Uint8Array>;

export interface QaSourceReaders {
  readLocal: ReadLocalFile;
  fetchObject?: FetchObject;
}

export const DatasetRequestSchema = z
  .object({
    name: z.enum(DATASET_NAMES).describe('benchmark name (FlashRAG)'),
    root: z.string().min(1).describe('local folder or s3:// prefix holding the QA files'),
    split: z.string().min(1).optional().describe('split file name; default: the eval split'),
    sampleSize: z.number().int().positive().optional().describe('seeded sample of this many rows'),
    seed: z.number().int().default(0).describe('sampling seed'),
  })
  .strict();
export type DatasetRequest = z.input<typeof DatasetRequestSchema>;

const isS3 = (uri: string): boolean => uri.startsWith('s3://');

/** Reads a local path or an `s3://bucket/key` URI as UTF-8 text. */
export async function readQaSource(uri: string, readers: QaSourceReaders): Promise<string> {
  if (isS3(uri)) {
    if (!readers.fetchObject) throw new DataError(`${uri}: no S3 reader configured`);
    return new TextDecoder().decode(await readers.fetchObject(uri));
  }
  return new TextDecoder().decode(await readers.readLocal(uri));
}

/** Reads and validates one QA file; any bad row is an error naming the file and line. */
export async function readQaFile(uri: string, readers: QaSourceReaders): Promise<QaItem[]> {
  const parsed = parseQaJsonl(await readQaSource(uri, readers));
  const first = parsed.errors[0];
  if (first) {
    const more = parsed.errors.length > 1 ? ` (and ${parsed.errors.length - 1} more)` : '';
    throw new DataError(`${uri} line ${first.line}: ${first.message}${more}`);
  }
  return parsed.items;
}

/** A seeded sample of `size` rows, kept in file order; all rows when size >= length. */
export function sampleItems<T>(items: readonly T[], size: number, seed: number): T[] {
  if (size >= items.length) return [...items];
  const indices = new Rng(seed).shuffle(items.map((_, i) => i)).slice(0, size);
  return indices.sort((a, b) => a - b).map((i) => items[i] as T);
}

/**
 * The files a dataset may live in under `root`, in the order tried: FlashRAG's layout
 * `<root>/<name>/<split>.jsonl`, then a flat `<root>/<name>.jsonl` (one file per dataset, as
 * in the tiny world's `qa/` folder and the shared samples).
 */
export function datasetCandidates(name: DatasetName, root: string, split: string): string[] {
  const base = root.replace(/\/+$/, '');
  return [`${base}/${name}/${split}.jsonl`, `${base}/${name}.jsonl`];
}

/** Loads one benchmark's split from a local folder or S3 prefix, optionally sampled. */
export async function loadDataset(
  request: DatasetRequest,
  readers: QaSourceReaders,
): Promise<{ uri: string; items: QaItem[] }> {
  const options = DatasetRequestSchema.parse(request);
  const split = options.split ?? DATASET_REGISTRY[options.name].evalSplit;
  const tried: string[] = [];
  for (const uri of datasetCandidates(options.name, options.root, split)) {
    let items: QaItem[];
    try {
      items = await readQaFile(uri, readers);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      tried.push(uri);
      continue;
    }
    const sampled = options.sampleSize
      ? sampleItems(items, options.sampleSize, options.seed)
      : items;
    return { uri, items: sampled };
  }
  throw new DataError(
    `dataset ${options.name} split ${split} not found; tried ${tried.join(', ')}`,
  );
}

function isNotFound(error: unknown): boolean {
  const record = error as {
    code?: unknown;
    name?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  return (
    record.code === 'ENOENT' ||
    record.name === 'NoSuchKey' ||
    record.name === 'NotFound' ||
    record.$metadata?.httpStatusCode === 404
  );
}
