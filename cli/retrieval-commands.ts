import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { ConfigError, DataError } from '../lib/errors.ts';
import { loadEnv } from '../lib/env.ts';
import { buildBm25Index } from '../retriever/bm25-builder.ts';
import { createBm25Retriever } from '../retriever/bm25-retriever.ts';
import { readCorpus } from '../retriever/corpus-reader.ts';
import { BM25_INDEX_FILE, resolveBm25IndexPath } from '../retriever/index-path.ts';
import { createRetrievalService } from '../retriever/service.ts';
import { buildDenseIndex } from '../retriever/dense/dense-index.ts';
import { createDenseRetriever } from '../retriever/dense/dense-retriever.ts';
import { loadEncoder } from '../retriever/dense/encoder.ts';
import { createHybridRetriever } from '../retriever/hybrid-retriever.ts';
import type { Retriever } from '../lib/retrieval/types.ts';

/** The dense index file beside bm25.idx when `index build --dense-model` is given. */
const DENSE_INDEX_FILE = 'dense.idx';

const printJson = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value)}\n`);
};

const toNumber = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new ConfigError(`not a number: ${value}`);
  return parsed;
};

interface BuildOptions {
  corpus: string;
  out: string;
  format: 'auto' | 'jsonl' | 'tsv';
  onMalformed: 'skip' | 'fail';
  method: 'lucene' | 'robertson' | 'atire' | 'bm25l' | 'bm25+';
  k1: number;
  b: number;
  stemmer: 'none' | 'snowball-english';
  stopwords: boolean;
  denseModel?: string;
  densePrecision: 'float32' | 'float16';
}

function registerIndexBuild(program: Command): void {
  const index = program.commands.find((c) => c.name() === 'index') ?? program.command('index');
  index.description('retrieval indexes');
  index
    .command('build')
    .description('build a BM25 index from a corpus (FlashRAG jsonl or DPR/Search-R1 TSV)')
    .requiredOption('--corpus <file>', 'corpus: jsonl {"id","contents"} or TSV id/text/title')
    .requiredOption('--out <dir>', `output directory (gets ${BM25_INDEX_FILE})`)
    .addOption(
      new Option('--format <format>', 'corpus format')
        .choices(['auto', 'jsonl', 'tsv'])
        .default('auto'),
    )
    .addOption(
      new Option('--on-malformed <policy>', 'malformed lines: skip (reported) or fail')
        .choices(['skip', 'fail'])
        .default('fail'),
    )
    .addOption(
      new Option('--method <variant>', 'BM25 variant (bm25s names)')
        .choices(['lucene', 'robertson', 'atire', 'bm25l', 'bm25+'])
        .default('lucene'),
    )
    .option('--k1 <k1>', 'term-frequency saturation', toNumber, 1.5)
    .option('--b <b>', 'length normalization', toNumber, 0.75)
    .addOption(
      new Option('--stemmer <stemmer>', 'stemming')
        .choices(['none', 'snowball-english'])
        .default('none'),
    )
    .option('--no-stopwords', 'keep English stopwords')
    .option('--dense-model <dir>', `also build ${DENSE_INDEX_FILE} with this local ONNX encoder`)
    .addOption(
      new Option('--dense-precision <p>', 'embedding storage')
        .choices(['float32', 'float16'])
        .default('float32'),
    )
    .action(async (options: BuildOptions) => {
      mkdirSync(options.out, { recursive: true });
      let malformed = 0;
      const passages = readCorpus(
        options.corpus,
        { format: options.format, onMalformed: options.onMalformed },
        {
          onMalformed: (problem) => {
            malformed += 1;
            process.stderr.write(`skipped ${problem.file}:${problem.line}: ${problem.message}\n`);
          },
        },
      );
      const stats = await buildBm25Index({
        passages,
        out: join(options.out, BM25_INDEX_FILE),
        params: {
          method: options.method,
          k1: options.k1,
          b: options.b,
          tokenizer: {
            lowercase: true,
            stopwords: options.stopwords ? 'en' : 'none',
            stemmer: options.stemmer,
          },
        },
        meta: { corpus: options.corpus },
        onProgress: (n) => process.stderr.write(`\rindexed ${n} passages`),
      });
      process.stderr.write('\n');
      const dense = options.denseModel ? await buildDense(options, options.denseModel) : undefined;
      printJson({
        ...stats,
        malformedSkipped: malformed,
        index: join(options.out, BM25_INDEX_FILE),
        ...(dense ? { dense } : {}),
      });
    });
}

/** Encodes the corpus a second time through the local ONNX encoder into `dense.idx`. */
async function buildDense(
  options: BuildOptions,
  modelDir: string,
): Promise<{ numDocs: number; dimension: number; index: string }> {
  const encoder = await loadEncoder(modelDir);
  const out = join(options.out, DENSE_INDEX_FILE);
  try {
    const stats = await buildDenseIndex({
      passages: readCorpus(options.corpus, { format: options.format, onMalformed: 'skip' }),
      encoder,
      out,
      precision: options.densePrecision,
      meta: { corpus: options.corpus, model: modelDir },
      onProgress: (n) => process.stderr.write(`\rencoded ${n} passages`),
    });
    process.stderr.write('\n');
    return { ...stats, index: out };
  } finally {
    await encoder.close();
  }
}

function readQueriesFile(file: string): { id: string; question: string }[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line, index) => ({ line, number: index + 1 }))
    .filter(({ line }) => line.trim() !== '')
    .map(({ line, number }) => {
      let row: { id?: unknown; question?: unknown };
      try {
        row = JSON.parse(line) as typeof row;
      } catch {
        throw new DataError(`${file}:${number}: invalid JSON`);
      }
      if (typeof row.question !== 'string')
        throw new DataError(`${file}:${number}: field "question" must be a string`);
      return { id: String(row.id ?? number), question: row.question };
    });
}

function registerSearch(program: Command): void {
  program
    .command('search')
    .description('ranked BM25 hits for one query or a jsonl of {"id","question"}')
    .requiredOption('--index <dir>', 'index directory (or file) from rag-r1 index build')
    .option('--query <text>', 'one query')
    .option(
      '--queries <file>',
      'jsonl of {"id","question"}; prints {"id","hits":[{"id","score"}]} per line',
    )
    .option('-k, --top-k <k>', 'hits per query', toNumber, 10)
    .option('--threads <n>', 'worker threads for --queries (0 = this thread)', toNumber)
    .action(
      async (options: {
        index: string;
        query?: string;
        queries?: string;
        topK: number;
        threads?: number;
      }) => {
        if ((options.query === undefined) === (options.queries === undefined)) {
          throw new ConfigError('give exactly one of --query or --queries');
        }
        const batch = options.queries ? readQueriesFile(options.queries) : [];
        const threads = options.threads ?? (batch.length > 64 ? undefined : 0);
        const retriever = createBm25Retriever({
          indexPath: resolveBm25IndexPath(options.index),
          threads,
        });
        try {
          if (options.query !== undefined) {
            const [hits = []] = await retriever.retrieve([options.query], options.topK);
            printJson({
              query: options.query,
              hits: hits.map((h) => ({
                id: h.document.id,
                score: h.score,
                contents: h.document.contents,
              })),
            });
            return;
          }
          const ranked = await retriever.rank(
            batch.map((q) => q.question),
            options.topK,
          );
          const docs = retriever.index.docs;
          ranked.forEach((r, i) => {
            const hits = Array.from(r.docs, (doc, rank) => ({
              id: docs.id(doc),
              score: r.scores[rank]!,
            }));
            printJson({ id: batch[i]!.id, hits });
          });
        } finally {
          await retriever.close();
        }
      },
    );
}

interface ServeOptions {
  index: string;
  host: string;
  port?: number;
  threads?: number;
  topK: number;
  maxQueries: number;
  maxQueryChars: number;
  maxConcurrent: number;
  maxQueued: number;
  rateLimit?: number;
  mode: 'bm25' | 'dense' | 'hybrid';
  denseModel?: string;
}

async function openRetriever(options: ServeOptions): Promise<Retriever> {
  const bm25 = () =>
    createBm25Retriever({
      indexPath: resolveBm25IndexPath(options.index),
      threads: options.threads,
    });
  if (options.mode === 'bm25') {
    const retriever = bm25();
    await retriever.ready();
    return retriever;
  }
  if (!options.denseModel)
    throw new ConfigError(`--mode ${options.mode} needs --dense-model <dir>`);
  const dense = await createDenseRetriever({
    indexPath: join(options.index, DENSE_INDEX_FILE),
    modelDir: options.denseModel,
  });
  if (options.mode === 'dense') return dense;
  const sparse = bm25();
  await sparse.ready();
  return createHybridRetriever(sparse, dense);
}

function registerRetriever(program: Command): void {
  program
    .command('retriever')
    .description('serve POST /retrieve (Search-R1 shape), /health and /metrics')
    .requiredOption('--index <dir>', 'index directory (or file) from rag-r1 index build')
    .option('--host <host>', 'listen address', '127.0.0.1')
    .option('--port <port>', 'listen port (default: the port of RETRIEVER_URL, 8000)', toNumber)
    .option('--threads <n>', 'search worker threads (default: all cores)', toNumber)
    .option('--top-k <k>', 'topk when a request sends none', toNumber, 3)
    .option('--max-queries <n>', 'largest batch', toNumber, 512)
    .option('--max-query-chars <n>', 'longest query', toNumber, 4096)
    .option('--max-concurrent <n>', 'requests searched at once', toNumber, 64)
    .option('--max-queued <n>', 'requests waiting before 429', toNumber, 256)
    .option('--rate-limit <n>', 'global requests per second before 429', toNumber)
    .addOption(
      new Option('--mode <mode>', 'bm25, dense (dense.idx) or hybrid (both, fused)')
        .choices(['bm25', 'dense', 'hybrid'])
        .default('bm25'),
    )
    .option('--dense-model <dir>', 'local ONNX encoder directory for --mode dense|hybrid')
    .action(async (options: ServeOptions) => {
      const retriever = await openRetriever(options);
      const app = createRetrievalService({
        retriever,
        logger: true,
        limits: {
          defaultTopK: options.topK,
          maxQueries: options.maxQueries,
          maxQueryChars: options.maxQueryChars,
          maxConcurrent: options.maxConcurrent,
          maxQueued: options.maxQueued,
          rateLimitPerSecond: options.rateLimit,
        },
      });
      const port = options.port ?? Number(new URL(loadEnv().RETRIEVER_URL).port || 8000);
      const shutdown = async (signal: string): Promise<void> => {
        app.log.info(`${signal}: draining in-flight requests`);
        await app.close();
        await retriever.close?.();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown('SIGINT'));
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
      await app.listen({ host: options.host, port });
    });
}

/** `rag-r1 index build`, `rag-r1 search` and `rag-r1 retriever`. */
export function registerRetrievalCommands(program: Command): void {
  registerIndexBuild(program);
  registerSearch(program);
  registerRetriever(program);
}
