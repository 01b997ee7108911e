import { createWriteStream, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { Rng } from '../../lib/world/random.ts';

/**
 * A seeded, scaled-up passage corpus built from the 8.5k real Wikipedia passages: each
 * synthetic passage takes a real title and recombines real sentences up to about 100 words,
 * so vocabulary and term statistics stay Wikipedia-like at 1M passages. Queries are the real QA
 * questions plus word spans cut from real sentences, up to the requested count.
 */
export interface BenchCorpusOptions {
  sourceCorpus: string;
  qaDir: string;
  passages: number;
  queries: number;
  seed: number;
  corpusOut: string;
  queriesOut: string;
}

function loadSource(file: string): { titles: string[]; sentences: string[] } {
  const titles: string[] = [];
  const sentences: string[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const contents = (JSON.parse(line) as { contents: string }).contents;
    const newline = contents.indexOf('\n');
    titles.push(contents.slice(0, newline));
    for (const sentence of contents.slice(newline + 1).split(/(?<=[.!?])\s+/)) {
      if (sentence.split(' ').length >= 4) sentences.push(sentence);
    }
  }
  return { titles, sentences };
}

async function writeCorpus(
  options: BenchCorpusOptions,
  titles: string[],
  sentences: string[],
): Promise<void> {
  const rng = new Rng(options.seed);
  const out = createWriteStream(options.corpusOut);
  for (let i = 0; i < options.passages; i += 1) {
    const parts: string[] = [];
    let words = 0;
    while (words < 90) {
      const sentence = rng.pick(sentences);
      parts.push(sentence);
      words += sentence.split(' ').length;
    }
    const line = `${JSON.stringify({ id: `syn-${i}`, contents: `${rng.pick(titles)}\n${parts.join(' ')}` })}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

function makeQueries(
  options: BenchCorpusOptions,
  sentences: string[],
): { id: string; question: string }[] {
  const rng = new Rng(options.seed + 1);
  const queries: { id: string; question: string }[] = [];
  for (const file of readdirSync(options.qaDir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()) {
    for (const line of readFileSync(join(options.qaDir, file), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const row = JSON.parse(line) as { id: string; question: string };
      queries.push({ id: `${file.replace('.jsonl', '')}:${row.id}`, question: row.question });
    }
  }
  while (queries.length < options.queries) {
    const words = rng.pick(sentences).split(' ');
    const length = 3 + rng.int(6);
    const start = rng.int(Math.max(1, words.length - length));
    queries.push({
      id: `span-${queries.length}`,
      question: words.slice(start, start + length).join(' '),
    });
  }
  return rng.shuffle(queries).slice(0, options.queries);
}

export async function makeBenchCorpus(options: BenchCorpusOptions): Promise<void> {
  const { titles, sentences } = loadSource(options.sourceCorpus);
  await writeCorpus(options, titles, sentences);
  const queries = makeQueries(options, sentences);
  const out = createWriteStream(options.queriesOut);
  for (const q of queries) out.write(`${JSON.stringify(q)}\n`);
  out.end();
  await once(out, 'finish');
}
