import type { Rng } from './random.ts';
import { RELATIONS, fillKindWords } from './relations.ts';
import { stepValue, type FactIndex } from './plan.ts';
import type { Entity, Fact, PlanStep, QuestionPlan, RelationId } from './schema.ts';

/** A question before it becomes a QA row: its text, plan, type and the entity it answers with. */
export interface DraftQuestion {
  question: string;
  plan: QuestionPlan;
  type: string;
  answerEntity?: number;
  named: number[];
}

export interface ChainOptions {
  hops: number;
  inverseFirst?: boolean;
  /** Relations allowed on the last hop (default: any). */
  finalRelations?: readonly RelationId[];
}

interface Candidate {
  step: PlanStep;
  next: number | undefined;
}

function candidates(
  index: FactIndex,
  current: number,
  position: number,
  options: ChainOptions,
  visited: Set<number>,
): Candidate[] {
  const last = position === options.hops - 1;
  const from = position === 0 ? { entity: current } : { step: position - 1 };
  if (position === 0 && options.inverseFirst) {
    const fact = index.capitalFactOf(current);
    if (fact === undefined || last) return [];
    return [
      {
        step: { relation: 'capital', inverse: true, from, fact },
        next: (index.facts[fact] as Fact).subject,
      },
    ];
  }
  return index
    .relationsOf(current)
    .filter(
      ([relation]) => !last || !options.finalRelations || options.finalRelations.includes(relation),
    )
    .map(([relation, fact]) => ({
      step: { relation, inverse: false, from, fact },
      next: (index.facts[fact] as Fact).objectEntity,
    }))
    .filter((c) =>
      last
        ? c.next === undefined || !visited.has(c.next)
        : c.next !== undefined && !visited.has(c.next),
    );
}

/** A random walk of `hops` functional lookups from `start`, or undefined if it dead-ends. */
export function walkChain(
  rng: Rng,
  index: FactIndex,
  start: Entity,
  options: ChainOptions,
): PlanStep[] | undefined {
  const steps: PlanStep[] = [];
  const visited = new Set([start.id]);
  let current = start.id;
  for (let position = 0; position < options.hops; position += 1) {
    const options_ = candidates(index, current, position, options, visited);
    if (options_.length === 0) return undefined;
    const choice = rng.pick(options_);
    steps.push(choice.step);
    if (choice.next !== undefined) {
      visited.add(choice.next);
      current = choice.next;
    }
  }
  return steps;
}

const subjectOf = (step: PlanStep, index: FactIndex): Entity =>
  index.entity((index.facts[step.fact] as Fact).subject);

/** Wraps `x` in the noun phrase of one step: "the director of {x}". */
function nest(rng: Rng, index: FactIndex, step: PlanStep, x: string): string {
  const spec = RELATIONS[step.relation];
  const template = step.inverse ? (spec.inversePhrase as string) : rng.pick(spec.phrases);
  return fillKindWords(template, subjectOf(step, index)).replaceAll('{X}', x);
}

/** The question text of a chain: nested phrases, then the last relation's question. */
export function chainQuestion(
  rng: Rng,
  index: FactIndex,
  steps: PlanStep[],
  style: 'plain' | 'quiz' = 'plain',
): string {
  const first = steps[0] as PlanStep;
  const startFact = index.facts[first.fact] as Fact;
  let x = index.entity(first.inverse ? (startFact.objectEntity as number) : startFact.subject).name;
  for (const step of steps.slice(0, -1)) x = nest(rng, index, step, x);
  const last = steps[steps.length - 1] as PlanStep;
  if (style === 'quiz') return `Name ${nest(rng, index, last, x)}.`;
  const nested = steps.length > 1;
  const templates = RELATIONS[last.relation].questions.filter(
    (q) => !nested || !q.includes("{X}'s"),
  );
  return fillKindWords(rng.pick(templates), subjectOf(last, index)).replaceAll('{X}', x);
}

/** A chain question draft (single-hop when hops is 1). */
export function chainDraft(
  rng: Rng,
  index: FactIndex,
  start: Entity,
  options: ChainOptions & { type: string; style?: 'plain' | 'quiz' },
): DraftQuestion | undefined {
  const steps = walkChain(rng, index, start, options);
  if (!steps) return undefined;
  const last = steps[steps.length - 1] as PlanStep;
  const lastFact = index.facts[last.fact] as Fact;
  return {
    question: chainQuestion(rng, index, steps, options.style),
    plan: { steps, combine: { kind: 'last' }, answer: stepValue(last, index) },
    type: options.type,
    ...(lastFact.objectEntity !== undefined && !last.inverse
      ? { answerEntity: lastFact.objectEntity }
      : {}),
    named: [start.id],
  };
}

const COMPARISONS = [
  { kind: 'person', relation: 'birth_year', question: 'Who was born first, {A} or {B}?' },
  { kind: 'org', relation: 'org_founded', question: 'Which was founded first, {A} or {B}?' },
  { kind: 'work', relation: 'work_year', question: 'Which came out first, {A} or {B}?' },
] as const;

const SAME = [
  { relation: 'born_in', question: 'Were {A} and {B} born in the same city?' },
  { relation: 'occupation', question: 'Did {A} and {B} have the same occupation?' },
] as const;

const fill = (template: string, a: Entity, b: Entity): string =>
  template.replace('{A}', a.name).replace('{B}', b.name);
const step = (relation: RelationId, fact: number, from: PlanStep['from']): PlanStep => ({
  relation,
  inverse: false,
  from,
  fact,
});

/** "Who was born first, A or B?" style: two lookups and a comparison of years. */
export function earlierDraft(
  rng: Rng,
  index: FactIndex,
  pick: (kind: Entity['kind']) => Entity,
): DraftQuestion | undefined {
  const shape = rng.pick(COMPARISONS);
  const [a, b] = [pick(shape.kind), pick(shape.kind)];
  const [fa, fb] = [index.fact(a.id, shape.relation), index.fact(b.id, shape.relation)];
  if (a.id === b.id || fa === undefined || fb === undefined) return undefined;
  const [ya, yb] = [Number(index.facts[fa]?.object), Number(index.facts[fb]?.object)];
  if (ya === yb) return undefined;
  return {
    question: fill(shape.question, a, b),
    plan: {
      steps: [
        step(shape.relation, fa, { entity: a.id }),
        step(shape.relation, fb, { entity: b.id }),
      ],
      combine: {
        kind: 'earlier',
        options: [
          { label: a.name, step: 0 },
          { label: b.name, step: 1 },
        ],
      },
      answer: ya < yb ? a.name : b.name,
    },
    type: 'comparison',
    named: [a.id, b.id],
  };
}

/** "Were A and B born in the same city?": a yes/no comparison, balanced between answers. */
export function sameDraft(
  rng: Rng,
  index: FactIndex,
  people: readonly Entity[],
  pick: (kind: Entity['kind']) => Entity,
): DraftQuestion | undefined {
  const shape = rng.pick(SAME);
  const a = pick('person');
  const fa = index.fact(a.id, shape.relation);
  if (fa === undefined) return undefined;
  const target = index.facts[fa]?.object;
  const wantSame = rng.chance(0.5);
  let b: Entity | undefined;
  for (let attempt = 0; attempt < 60 && !b; attempt += 1) {
    const candidate = wantSame ? rng.pick(people) : pick('person');
    const fc = index.fact(candidate.id, shape.relation);
    if (
      candidate.id !== a.id &&
      fc !== undefined &&
      (index.facts[fc]?.object === target) === wantSame
    )
      b = candidate;
  }
  const fb = b ? index.fact(b.id, shape.relation) : undefined;
  if (!b || fb === undefined) return undefined;
  return {
    question: fill(shape.question, a, b),
    plan: {
      steps: [
        step(shape.relation, fa, { entity: a.id }),
        step(shape.relation, fb, { entity: b.id }),
      ],
      combine: { kind: 'same', steps: [0, 1] },
      answer: wantSame ? 'yes' : 'no',
    },
    type: 'comparison',
    named: [a.id, b.id],
  };
}

/** 2Wiki's bridge comparison: "Which film has the director born first, W1 or W2?" (4 hops). */
export function bridgeComparisonDraft(
  rng: Rng,
  index: FactIndex,
  pick: (kind: Entity['kind']) => Entity,
): DraftQuestion | undefined {
  const [a, b] = [pick('work'), pick('work')];
  const [ca, cb] = [index.fact(a.id, 'creator'), index.fact(b.id, 'creator')];
  if (a.id === b.id || a.subkind !== b.subkind || ca === undefined || cb === undefined)
    return undefined;
  const [pa, pb] = [
    index.facts[ca]?.objectEntity as number,
    index.facts[cb]?.objectEntity as number,
  ];
  const [ya, yb] = [index.fact(pa, 'birth_year'), index.fact(pb, 'birth_year')];
  if (pa === pb || ya === undefined || yb === undefined) return undefined;
  const [na, nb] = [Number(index.facts[ya]?.object), Number(index.facts[yb]?.object)];
  if (na === nb) return undefined;
  const template = fillKindWords('Which {kind} has the {noun} who was born first, {A} or {B}?', a);
  return {
    question: fill(template, a, b),
    plan: {
      steps: [
        step('creator', ca, { entity: a.id }),
        step('creator', cb, { entity: b.id }),
        step('birth_year', ya, { step: 0 }),
        step('birth_year', yb, { step: 1 }),
      ],
      combine: {
        kind: 'earlier',
        options: [
          { label: a.name, step: 2 },
          { label: b.name, step: 3 },
        ],
      },
      answer: na < nb ? a.name : b.name,
    },
    type: 'bridge_comparison',
    named: [a.id, b.id],
  };
}

/** 2Wiki's inference questions: paternal grandfather, father-in-law. */
export function inferenceDraft(
  rng: Rng,
  index: FactIndex,
  person: Entity,
): DraftQuestion | undefined {
  const inLaw = rng.chance(0.5);
  const first = index.fact(person.id, inLaw ? 'spouse' : 'father');
  const middle = first === undefined ? undefined : index.facts[first]?.objectEntity;
  const second = middle === undefined ? undefined : index.fact(middle, 'father');
  if (first === undefined || second === undefined) return undefined;
  const answer = index.facts[second] as Fact;
  if (answer.objectEntity === person.id) return undefined;
  return {
    question: inLaw
      ? `Who is the father-in-law of ${person.name}?`
      : `Who is the paternal grandfather of ${person.name}?`,
    plan: {
      steps: [
        step(inLaw ? 'spouse' : 'father', first, { entity: person.id }),
        step('father', second, { step: 0 }),
      ],
      combine: { kind: 'last' },
      answer: answer.object,
    },
    type: 'inference',
    ...(answer.objectEntity !== undefined ? { answerEntity: answer.objectEntity } : {}),
    named: [person.id],
  };
}
