/**
 * Reading-comprehension rows for the tiny model's pretraining: an `<information>` block exactly
 * as the policy sees one (sq `Doc i:` lines or the mq JSON object, rendered by
 * lib/agent/observation.ts), holding a passage that states a fact among distractor passages,
 * then a statement about that fact whose object must be copied out of the block. Pure and
 * seeded; facts are drawn from the whole graph, never from the questions.
 */
import { renderMqObservation, renderSqObservation } from '../agent/observation.ts';
import { APPROXIMATE_TOKEN_COUNTER } from '../agent/token-counter.ts';
import type { Passage, ScoredPassage } from '../retrieval/types.ts';
import { Rng } from './random.ts';
import { fillKindWords, RELATIONS, renderSentence } from './relations.ts';
import type { Entity, Fact, WorldGraph } from './schema.ts';

export interface ReadingRowsOptions {
  graph: WorldGraph;
  corpus: readonly Passage[];
  rows: number;
  seed: number;
  /** Share of rows in the mq observation format; the rest use sq `Doc i:` lines. */
  mqShare?: number;
  /** Passages per query, as the retriever's top-k returns them. */
  docsPerQuery?: number;
}

export interface ReadingRow {
  id: string;
  /** Index into `graph.facts` of the fact the statement is about. */
  fact: number;
  /** The question the statement answers, in the world's own wording. */
  question: string;
  /** The `<information>` block, exactly as the rollout appends one. */
  context: string;
  /** The statement to complete from the context, e.g. "The birthplace of Satos Velm is Velmar." */
  statement: string;
  /** The value the statement takes from the fact's passage. */
  answer: string;
  /** What a language model reads: the context, then the statement. */
  text: string;
}

/** Same retriever-shaped wrapper for every passage; the observation ignores scores. */
const hit = (document: Passage): ScoredPassage => ({ document, score: 1 });

/**
 * `rows` reading rows. Row `i` depends only on (seed, i) and the graph, so a longer list
 * starts with a shorter one. Facts are visited in a seeded shuffled order, each once before
 * any repeats; the fact's passage sits at a random position among distractors that half the
 * time share a name word with the subject (the surnames the corpus shares), as retrieval
 * returns them.
 */
export function generateReadingRows(options: ReadingRowsOptions): ReadingRow[] {
  const { graph, corpus, rows, seed } = options;
  const mqShare = options.mqShare ?? 0.5;
  const docsPerQuery = options.docsPerQuery ?? 3;
  const readable = graph.facts.map((_, i) => i).filter((i) => (graph.support[i] ?? []).length > 0);
  if (rows <= 0 || readable.length === 0 || corpus.length < docsPerQuery) return [];
  const order = Rng.derive(seed, 'reading:facts').shuffle(readable);
  const byId = new Map(corpus.map((passage, index) => [passage.id, index]));
  const mentions = indexNameWords(corpus);
  const context: DocsContext = { graph, corpus, byId, mentions, docsPerQuery };
  return Array.from({ length: rows }, (_, i) => {
    const rng = Rng.derive(seed, `reading:${i}`);
    const fact = order[i % order.length] as number;
    const asked = statementFor(graph, fact, rng);
    const main = { query: asked.query, docs: docsFor(context, fact, rng) };
    let block: string;
    if (rng.chance(mqShare)) {
      const groups = [main];
      const extra = 1 + rng.int(2);
      for (let g = 0; g < extra; g += 1) {
        const other = rng.pick(readable);
        groups.push({ query: queryFor(graph, other, false), docs: docsFor(context, other, rng) });
      }
      const shuffled = rng.shuffle(groups);
      block = renderMqObservation(
        shuffled.map((group) => group.query),
        shuffled.map((group) => group.docs.map(hit)),
        APPROXIMATE_TOKEN_COUNTER,
        null,
      );
    } else {
      block = renderSqObservation(main.docs.map(hit), APPROXIMATE_TOKEN_COUNTER, null);
    }
    return {
      id: `reading-${i}`,
      fact,
      question: asked.question,
      context: block,
      statement: asked.statement,
      answer: asked.answer,
      text: block + asked.statement,
    };
  });
}

interface DocsContext {
  graph: WorldGraph;
  corpus: readonly Passage[];
  byId: Map<string, number>;
  mentions: Map<string, number[]>;
  docsPerQuery: number;
}

/** Capitalised words to the passages that contain them (titles and texts). */
function indexNameWords(corpus: readonly Passage[]): Map<string, number[]> {
  const index = new Map<string, number[]>();
  corpus.forEach((passage, i) => {
    for (const word of new Set(passage.contents.match(/[A-Z][a-z]+/g) ?? [])) {
      const list = index.get(word);
      if (list) list.push(i);
      else index.set(word, [i]);
    }
  });
  return index;
}

/** One passage stating the fact, at a random position among distractors. */
function docsFor(context: DocsContext, fact: number, rng: Rng): Passage[] {
  const { graph, corpus, byId, mentions, docsPerQuery } = context;
  const support = rng.pick(graph.support[fact] ?? []);
  const chosen = new Set([byId.get(support) as number]);
  const subject = graph.entities[(graph.facts[fact] as Fact).subject] as Entity;
  const related = subject.name.split(' ').flatMap((word) => mentions.get(word) ?? []);
  for (let tries = 0; chosen.size < docsPerQuery && tries < 50; tries += 1) {
    const pool = related.length > 0 && rng.chance(0.5) ? related : undefined;
    chosen.add(pool ? rng.pick(pool) : rng.int(corpus.length));
  }
  return rng.shuffle([...chosen].map((index) => corpus[index] as Passage));
}

/** The search query for a fact, as the world phrases it (the teacher's well-formed query). */
function queryFor(graph: WorldGraph, fact: number, inverse: boolean): string {
  const { subject, relation, objectEntity } = graph.facts[fact] as Fact;
  const spec = RELATIONS[relation];
  const from = graph.entities[inverse ? (objectEntity as number) : subject] as Entity;
  const template = inverse ? (spec.inverseQuery as string) : spec.query;
  return fillKindWords(template, from).replaceAll('{X}', from.name);
}

interface Asked {
  question: string;
  statement: string;
  answer: string;
  query: string;
}

/**
 * A statement of the fact that names the subject before the object: the relation's noun
 * phrase ("The birthplace of X is Y."), one of its sentence templates, which may word it
 * differently from the passage, or, for reverse-lookup relations, the inverse phrase ("The
 * country whose capital is Y is X.").
 */
function statementFor(graph: WorldGraph, fact: number, rng: Rng): Asked {
  const { subject, relation, object, objectEntity } = graph.facts[fact] as Fact;
  const spec = RELATIONS[relation];
  const entity = graph.entities[subject] as Entity;
  const roll = rng.next();
  if (spec.inversePhrase && objectEntity !== undefined && roll < 0.3) {
    const city = graph.entities[objectEntity] as Entity;
    const phrase = spec.inversePhrase.replaceAll('{X}', city.name);
    return {
      question: `What is ${phrase}?`,
      statement: `${capitalize(phrase)} is ${entity.name}.`,
      answer: entity.name,
      query: queryFor(graph, fact, true),
    };
  }
  const query = queryFor(graph, fact, false);
  const question = fillKindWords(rng.pick(spec.questions), entity).replaceAll('{X}', entity.name);
  const forward = spec.sentences.filter((t) => t.indexOf('{S}') < t.indexOf('{O}'));
  if (roll < 0.65 || forward.length === 0) {
    const phrase = fillKindWords(rng.pick(spec.phrases), entity).replaceAll('{X}', entity.name);
    return { question, statement: `${capitalize(phrase)} is ${object}.`, answer: object, query };
  }
  const statement = renderSentence(rng.pick(forward), entity, object);
  return { question, statement, answer: object, query };
}

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
