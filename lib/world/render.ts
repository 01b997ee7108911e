import type { Passage } from '../retrieval/types.ts';
import { Rng } from './random.ts';
import { RELATIONS, renderSentence } from './relations.ts';
import type { Entity, Fact } from './schema.ts';

/** A fact sentence placed in a passage; `fact` is undefined for distractor sentences. */
interface Line {
  text: string;
  fact?: number;
}

interface Draft {
  title: string;
  lines: Line[];
}

export interface RenderedCorpus {
  passages: Passage[];
  support: string[][];
}

const TRIVIA: ((s: string, pick: Pickers) => string)[] = [
  (s, p) => `In ${p.year()}, ${s} moved to ${p.city()}.`,
  (s, p) => `${s} once visited ${p.city()}.`,
  (s, p) => `${s} met ${p.person()} in ${p.city()} in ${p.year()}.`,
  (s, p) => `${s} was praised by ${p.person()}.`,
  (s, p) => `${s} is often compared with ${p.person()}.`,
];

const FILLER: ((pick: Pickers) => string)[] = [
  (p) => `In ${p.year()}, ${p.person()} and ${p.person()} spoke at ${p.org()} in ${p.city()}.`,
  (p) => `${p.person()} gave a talk about ${p.work()} in ${p.city()}.`,
  (p) => `A large fair was held in ${p.city()} in ${p.year()}.`,
  (p) => `${p.org()} bought a copy of ${p.work()} in ${p.year()}.`,
  (p) => `Many visitors from ${p.country()} came to ${p.city()} that year.`,
];

interface Pickers {
  year: () => string;
  city: () => string;
  person: () => string;
  org: () => string;
  work: () => string;
  country: () => string;
}

function makePickers(rng: Rng, entities: Entity[]): Pickers {
  const of = (kind: Entity['kind']): (() => string) => {
    const names = entities.filter((e) => e.kind === kind).map((e) => e.name);
    return () => rng.pick(names);
  };
  return {
    year: () => String(1800 + rng.int(220)),
    city: of('city'),
    person: of('person'),
    org: of('org'),
    work: of('work'),
    country: of('country'),
  };
}

/** How many passages an entity gets: popular entities are written about more, in varied words. */
export function passagesFor(entity: Entity): number {
  return 1 + (entity.popularity > 0.25 ? 1 : 0) + (entity.popularity > 0.55 ? 1 : 0);
}

/** Facts that are also stated on the object's page ("X is the capital of Y", "A founded B"). */
const ECHOED = new Set(['capital', 'founder']);

function entityDrafts(
  entity: Entity,
  own: number[],
  echoes: number[],
  ctx: RenderContext,
): Draft[] {
  const { rng, facts, entities, pickers } = ctx;
  const sentence = (index: number, variant: number): Line => {
    const fact = facts[index] as Fact;
    const templates = RELATIONS[fact.relation].sentences;
    const template = templates[variant % templates.length] as string;
    return {
      text: renderSentence(template, entities[fact.subject] as Entity, fact.object),
      fact: index,
    };
  };
  const echo = (index: number): Line => {
    const fact = facts[index] as Fact;
    const templates = RELATIONS[fact.relation].sentences;
    return {
      text: renderSentence(templates[1] as string, entities[fact.subject] as Entity, fact.object),
      fact: index,
    };
  };
  const aliasLine = (): Line[] =>
    entity.aliases.map((alias) => ({ text: `${entity.name} was also known as ${alias}.` }));
  const trivia = (): Line[] =>
    entity.kind === 'person' || entity.kind === 'work' || rng.chance(0.3)
      ? [
          {
            text: rng.pick(entity.kind === 'work' ? TRIVIA.slice(3) : TRIVIA)(entity.name, pickers),
          },
        ]
      : [];
  const first: Line[] = [
    ...own.map((f) => sentence(f, rng.int(4))),
    ...echoes.slice(0, 2).map(echo),
    ...aliasLine(),
  ];
  const drafts: Draft[] = [
    { title: entity.name, lines: [...rng.shuffle(first), ...(rng.chance(0.5) ? trivia() : [])] },
  ];
  for (let extra = 1; extra < passagesFor(entity); extra += 1) {
    const subset = rng.shuffle(own).slice(0, Math.min(own.length, 2 + rng.int(2)));
    drafts.push({
      title: entity.name,
      lines: rng.shuffle([...subset.map((f) => sentence(f, extra + rng.int(3))), ...trivia()]),
    });
  }
  return drafts;
}

interface RenderContext {
  rng: Rng;
  facts: Fact[];
  entities: Entity[];
  pickers: Pickers;
}

function fillerDraft(ctx: RenderContext): Draft {
  const { rng, pickers } = ctx;
  const lines = Array.from({ length: 2 + rng.int(2) }, () => ({ text: rng.pick(FILLER)(pickers) }));
  const title = rng.chance(0.5) ? `${pickers.city()} Fair` : `${pickers.org()} Meeting`;
  return { title, lines };
}

/**
 * Renders the graph as exactly `target` passages (FlashRAG `"Title"\ntext`): each entity's
 * facts on its own page(s), echoes of a few facts on the object's page, and filler passages
 * that mention entities without stating any graph fact (distractors). Ids are assigned after a
 * seeded shuffle so an id says nothing about the entity.
 */
export function renderCorpus(
  seed: number,
  entities: Entity[],
  facts: Fact[],
  target: number,
): RenderedCorpus {
  const rng = Rng.derive(seed, 'render');
  const ctx: RenderContext = { rng, facts, entities, pickers: makePickers(rng, entities) };
  const own: number[][] = entities.map(() => []);
  const echoes: number[][] = entities.map(() => []);
  facts.forEach((fact, index) => {
    own[fact.subject]?.push(index);
    if (ECHOED.has(fact.relation) && fact.objectEntity !== undefined)
      echoes[fact.objectEntity]?.push(index);
  });
  const drafts = entities.flatMap((entity) =>
    entityDrafts(entity, own[entity.id] ?? [], echoes[entity.id] ?? [], ctx),
  );
  while (drafts.length < target) drafts.push(fillerDraft(ctx));
  const order = rng.shuffle(drafts.map((_, i) => i));
  const support: string[][] = facts.map(() => []);
  const passages: Passage[] = order.map((draftIndex, position) => {
    const draft = drafts[draftIndex] as Draft;
    const id = String(position);
    for (const line of draft.lines) if (line.fact !== undefined) support[line.fact]?.push(id);
    return { id, contents: `"${draft.title}"\n${draft.lines.map((l) => l.text).join(' ')}` };
  });
  return { passages, support };
}
